/**
 * The one uniform every kernel reads: 64 32-bit words, each read in WGSL as u32, i32 or f32 by
 * index (shaders/common.wgsl). Each kernel's WGSL header says what its words mean.
 */
import { BackendError, fmtShape } from '../../errors';
import type { Shape } from '../../graph/shape';

export const PARAM_WORDS = 64;
/** Shapes and strides travel in 8-word slots. */
export const MAX_RANK = 8;

export class ParamWords {
  readonly bytes = new ArrayBuffer(PARAM_WORDS * 4);
  private readonly u32 = new Uint32Array(this.bytes);
  private readonly i32 = new Int32Array(this.bytes);
  private readonly f32 = new Float32Array(this.bytes);

  u(index: number, value: number): this {
    this.u32[index] = value;
    return this;
  }

  i(index: number, value: number): this {
    this.i32[index] = value;
    return this;
  }

  f(index: number, value: number): this {
    this.f32[index] = value;
    return this;
  }

  /** Writes up to MAX_RANK unsigned values from `index`. */
  list(index: number, values: readonly number[]): this {
    values.forEach((v, k) => {
      this.u32[index + k] = v;
    });
    return this;
  }
}

export function checkRank(op: string, shape: Shape): void {
  if (shape.length > MAX_RANK) {
    throw new BackendError(
      `${op} on WebGPU: tensor of shape ${fmtShape(shape)} has rank ${shape.length}, kernels take rank <= ${MAX_RANK}`,
    );
  }
}
