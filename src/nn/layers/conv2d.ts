/** Conv2D on NHWC input with a [kh, kw, in, filters] kernel (Keras layout). */
import { InvalidArgumentError } from '../../errors';
import { windowGeometry } from '../../graph/conv-geometry';
import type { Padding } from '../../graph/op-params';
import { conv2d, fusedConv2d } from '../../graph/ops/index';
import type { Shape } from '../../graph/shape';
import type { Tensor } from '../../graph/tensor';
import { type ActivationName, getActivation, splitActivation } from '../activations';
import type { InitializerSpec } from '../initializers';
import {
  type CallContext,
  expectRank,
  Layer,
  type LayerConfig,
  type LayerVariable,
  positiveInt,
} from './layer';

export interface Conv2DConfig extends LayerConfig {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
  activation?: ActivationName;
  useBias?: boolean;
  kernelInitializer?: InitializerSpec;
  biasInitializer?: InitializerSpec;
}

/** A positive integer or a pair of them, as a pair. */
export function pairOf(owner: string, name: string, v: unknown): [number, number] {
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2) {
    throw new InvalidArgumentError(`${owner}(${name}=${JSON.stringify(v)}): expected an integer or a pair`);
  }
  return [positiveInt(owner, name, p[0]), positiveInt(owner, name, p[1])];
}

export function checkPadding(owner: string, padding: unknown): Padding {
  if (padding !== 'same' && padding !== 'valid') {
    throw new InvalidArgumentError(
      `${owner}(padding=${JSON.stringify(padding)}): expected 'same' or 'valid'`,
    );
  }
  return padding;
}

export class Conv2D extends Layer<Conv2DConfig> {
  static readonly className = 'Conv2D';
  private readonly kernelSize: [number, number];
  private readonly strides: [number, number];
  private readonly padding: Padding;
  private readonly activation: (x: Tensor) => Tensor;
  /** The activation as the convolution's epilogue applies it, with a bias (and what follows it). */
  private readonly split: ReturnType<typeof splitActivation>;
  private kernel: LayerVariable | null = null;
  private bias: LayerVariable | null = null;

  constructor(config: Conv2DConfig) {
    super(config);
    positiveInt('Conv2D', 'filters', config.filters);
    this.kernelSize = pairOf('Conv2D', 'kernelSize', config.kernelSize);
    this.strides = pairOf('Conv2D', 'strides', config.strides ?? 1);
    this.padding = checkPadding('Conv2D', config.padding ?? 'valid');
    this.activation = getActivation('Conv2D(activation)', config.activation ?? 'linear');
    this.split = splitActivation(config.activation ?? 'linear');
  }

  computeOutputShape(inputShape: Shape): Shape {
    expectRank(this, inputShape, 3, '[batch,height,width,channels]');
    const [kh, kw] = this.kernelSize;
    const g = windowGeometry(inputShape[0], inputShape[1], kh, kw, this.strides, this.padding);
    if (g.outH < 1 || g.outW < 1) {
      throw new InvalidArgumentError(
        `${this.name}: kernel ${kh}x${kw} does not fit input ${inputShape[0]}x${inputShape[1]} with padding '${this.padding}'`,
      );
    }
    return [g.outH, g.outW, this.config.filters];
  }

  protected override buildWeights(inputShape: Shape): void {
    const [kh, kw] = this.kernelSize;
    const shape = [kh, kw, inputShape[2], this.config.filters];
    this.kernel = this.addWeight('kernel', shape, this.config.kernelInitializer ?? 'glorotUniform');
    if (this.config.useBias ?? true) {
      this.bias = this.addWeight('bias', [this.config.filters], this.config.biasInitializer ?? 'zeros');
    }
  }

  protected call(x: Tensor, ctx: CallContext): Tensor {
    const options = { strides: this.strides, padding: this.padding };
    const kernel = this.read(this.kernel!, ctx);
    if (!this.bias) return this.activation(conv2d(x, kernel, options));
    // The convolution's epilogue adds the bias and applies the activation when it can (one kernel).
    const y = fusedConv2d(x, kernel, this.read(this.bias, ctx), {
      ...options,
      activation: this.split.epilogue,
    });
    return this.split.after(y);
  }
}
