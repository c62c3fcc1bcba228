import { BackendError, fmtShape } from '../errors';
import type { Backend } from './backend';
import type { OpName, OpParams } from './op-params';
import { type Shape, sizeOf } from './shape';

/** How a tensor was made, kept only while gradients are being recorded. */
export interface TapeNode {
  readonly op: OpName;
  readonly inputs: readonly Tensor[];
  readonly params: OpParams[OpName];
  /** Ops with several outputs: every output, this tensor among them (autodiff takes them together). */
  readonly outputs?: readonly Tensor[];
}

/**
 * An n-dimensional float32 array living on one backend. Tensors are immutable values: ops return
 * new tensors, and nothing needs freeing by hand.
 */
export class Tensor<S = unknown> {
  readonly shape: Shape;
  readonly size: number;
  /** @internal set by valueAndGrad on the tensors it differentiates with respect to */
  requiresGrad = false;
  /** @internal */
  node: TapeNode | null = null;

  constructor(
    shape: Shape,
    /** @internal the backend's handle: a Float32Array on CPU, a GpuStorage on WebGPU */
    readonly storage: S,
    readonly backend: Backend<S>,
    /**
     * For the output of a softmax over the last axis, the logits it was computed from: a
     * cross-entropy on these probabilities works from the logits instead, exactly and in one
     * kernel (as Keras does for a softmax output layer). Fixed when the tensor is made; null for
     * every other tensor.
     */
    readonly logits: Tensor | null = null,
  ) {
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** The values, row-major, as float32. */
  data(): Promise<Float32Array> {
    return this.backend.read(this.storage, this.size);
  }

  /** The values at once; only backends that hold data in main memory (CPU) can. */
  dataSync(): Float32Array {
    const values = this.backend.readSync(this.storage, this.size);
    if (values === null) {
      throw new BackendError(
        `Tensor ${fmtShape(this.shape)} lives on the ${this.backend.name} backend: use await tensor.data()`,
      );
    }
    return values;
  }

  /** The values as nested arrays (a number for a scalar). */
  async array(): Promise<NestedArray> {
    return nest(await this.data(), this.shape);
  }

  /** The single value of a tensor with one element. */
  async item(): Promise<number> {
    if (this.size !== 1) {
      throw new BackendError(`item(): tensor ${fmtShape(this.shape)} has ${this.size} elements, expected 1`);
    }
    return (await this.data())[0];
  }

  toString(): string {
    return `Tensor(${fmtShape(this.shape)}, ${this.backend.name})`;
  }
}

export type NestedArray = number | NestedArray[];

function nest(values: ArrayLike<number>, shape: Shape, offset = 0, axis = 0): NestedArray {
  if (axis === shape.length) return values[offset];
  const inner = sizeOf(shape.slice(axis + 1));
  return Array.from({ length: shape[axis] }, (_, i) => nest(values, shape, offset + i * inner, axis + 1));
}
