/**
 * A model's memory, estimated from its layers' configs before anything is allocated: parameters
 * (what `build` would create, from `Layer.plannedWeights`), activations for a batch, gradients
 * and optimizer slots for training. Checked against the backend's limits (the largest buffer a
 * WebGPU adapter binds, the largest typed array, a memory budget), so a model that cannot fit is
 * refused with an OutOfMemoryError naming the layer, the tensor, its shape and bytes, and the
 * limit, in milliseconds instead of after gigabytes of allocation.
 *
 * The activation figure counts every layer's output for the batch once (inference keeps two at a
 * time, training keeps all of them for the backward pass and one gradient of the same size each);
 * kernels' own temporaries are not counted, so the estimate is a floor, not a promise.
 */
import { type MemoryFault, OutOfMemoryError } from '../../errors';
import { currentBackend } from '../../graph/engine';
import { type MemoryLimits, memoryLimits } from '../../graph/memory-limits';
import { type Shape, sizeOf } from '../../graph/shape';
import type { Layer } from '../layers/layer';

const BYTES = 4; // float32

export interface LayerMemory {
  /** The layer's name (as the model names it). */
  layer: string;
  outputShape: Shape;
  weights: { key: string; shape: Shape; bytes: number; trainable: boolean }[];
  params: number;
  trainableParams: number;
}

export interface MemoryEstimate {
  layers: LayerMemory[];
  params: number;
  paramBytes: number;
  /** Every layer's output for `batchSize` samples, plus the input batch. */
  activationBytes: number;
  gradientBytes: number;
  optimizerBytes: number;
  /** Parameters only (`build`), or all of the above (`training`). */
  totalBytes: number;
}

export interface EstimateOptions {
  /** Samples per batch (default 1: the model alone). */
  batchSize?: number;
  /** Count gradients, every activation twice, and `slotsPerWeight` optimizer slots per trainable weight. */
  training?: boolean;
  slotsPerWeight?: number;
}

/** Per-layer weights and output shapes for `inputShape`, without building anything. */
export function layerMemory(layers: readonly Layer[], inputShape: Shape): LayerMemory[] {
  let shape = inputShape;
  return layers.map((layer) => {
    const weights = layer.plannedWeights(shape).map((w) => ({ ...w, bytes: sizeOf(w.shape) * BYTES }));
    shape = layer.computeOutputShape(shape);
    const params = weights.reduce((s, w) => s + w.bytes / BYTES, 0);
    const trainableParams = weights.reduce((s, w) => s + (w.trainable ? w.bytes / BYTES : 0), 0);
    return { layer: layer.name, outputShape: shape, weights, params, trainableParams };
  });
}

export function estimateMemory(
  layers: readonly Layer[],
  inputShape: Shape,
  options: EstimateOptions = {},
): MemoryEstimate {
  const { batchSize = 1, training = false, slotsPerWeight = 0 } = options;
  const perLayer = layerMemory(layers, inputShape);
  const params = perLayer.reduce((s, l) => s + l.params, 0);
  const trainable = perLayer.reduce((s, l) => s + l.trainableParams, 0);
  const outputs = perLayer.map((l) => sizeOf(l.outputShape) * batchSize * BYTES);
  const input = sizeOf(inputShape) * batchSize * BYTES;
  const activationBytes = training
    ? 2 * (input + outputs.reduce((s, b) => s + b, 0))
    : outputs.reduce((m, b, i) => Math.max(m, b + (i > 0 ? outputs[i - 1] : input)), input);
  const gradientBytes = training ? trainable * BYTES : 0;
  const optimizerBytes = training ? trainable * slotsPerWeight * BYTES : 0;
  const paramBytes = params * BYTES;
  return {
    layers: perLayer,
    params,
    paramBytes,
    activationBytes,
    gradientBytes,
    optimizerBytes,
    totalBytes: paramBytes + activationBytes + gradientBytes + optimizerBytes,
  };
}

/** The first tensor over the per-tensor limit, or the total over the budget; null when it fits. */
export function memoryFault(
  estimate: MemoryEstimate,
  limits: MemoryLimits,
  inputShape: Shape,
  batchSize: number,
): MemoryFault | null {
  const tooBig = (bytes: number) => bytes > limits.maxTensorBytes;
  const over = (layer: string, tensor: string, shape: Shape | null, bytes: number): MemoryFault => ({
    layer,
    tensor,
    shape,
    bytes,
    limit: limits.maxTensorBytes,
    limitName: limits.maxTensorName,
  });
  const input = [batchSize, ...inputShape];
  if (tooBig(sizeOf(input) * BYTES)) return over('the input batch', 'x', input, sizeOf(input) * BYTES);
  for (const l of estimate.layers) {
    for (const w of l.weights) if (tooBig(w.bytes)) return over(l.layer, w.key, w.shape, w.bytes);
    const out = [batchSize, ...l.outputShape];
    if (tooBig(sizeOf(out) * BYTES)) return over(l.layer, 'output', out, sizeOf(out) * BYTES);
  }
  if (limits.budgetBytes !== null && estimate.totalBytes > limits.budgetBytes) {
    // Name the layer holding the most, where the memory goes.
    const biggest = estimate.layers.reduce((a, b) => (b.params > a.params ? b : a), estimate.layers[0]);
    const parts =
      `(parameters ${estimate.paramBytes}, activations ${estimate.activationBytes}, ` +
      `gradients ${estimate.gradientBytes}, optimizer ${estimate.optimizerBytes} bytes; largest: ${biggest?.layer})`;
    return {
      layer: 'the model',
      tensor: `in all ${parts}`,
      shape: null,
      bytes: estimate.totalBytes,
      limit: limits.budgetBytes,
      limitName: limits.budgetName,
    };
  }
  return null;
}

const HINT = 'use fewer units or filters, a smaller input, or a smaller batchSize';

/**
 * Throws OutOfMemoryError when the model (for `batchSize` samples, and training when asked)
 * would not fit the current backend. `context` names the call: `sequential.build`, `fit`.
 */
export function assertFits(
  context: string,
  layers: readonly Layer[],
  inputShape: Shape,
  options: EstimateOptions = {},
): MemoryEstimate {
  const estimate = estimateMemory(layers, inputShape, options);
  const limits = memoryLimits(currentBackend());
  const fault = limits && memoryFault(estimate, limits, inputShape, options.batchSize ?? 1);
  if (fault) throw new OutOfMemoryError(fault, context, HINT);
  return estimate;
}
