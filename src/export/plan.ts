/**
 * Lowers a built Sequential into format-neutral steps both exporters read. Our tensors are NHWC
 * (channels last); ONNX's Conv/MaxPool/AveragePool/BatchNormalization and PyTorch's Conv2d/pools/
 * BatchNorm want the channels on axis 1. Rather than transpose around every such layer, the plan
 * tracks the current physical layout (which logical axis sits where) and inserts a transpose only
 * when the next step needs another one. Dense, Flatten, Reshape and the model output always see
 * the logical (NHWC) layout, so a Flatten produces features in our (h, w, c) order and the Dense
 * kernel after it needs no row permutation.
 */
import { windowGeometry } from '../graph/conv-geometry';
import type { Padding } from '../graph/op-params';
import { normalizeAxis, type Shape } from '../graph/shape';
import type { ActivationName } from '../nn/activations';
import { ModelStateError } from '../nn/errors';
import { pairOf } from '../nn/layers/conv2d';
import type { Layer, LayerClassName, layerClasses } from '../nn/layers/index';
import type { Pooling2D } from '../nn/layers/pooling2d';
import type { Sequential } from '../nn/model/sequential';
import { ExportError } from './errors';

/** The slopes activations.ts uses; the runtime tests fail if these drift from it. */
export const LEAKY_RELU_ALPHA = 0.2;
export const ELU_ALPHA = 1;

/** A nonlinearity applied elementwise, or softmax over one physical axis. */
export type ActivationStep = {
  kind: 'activation';
  layer: string;
  fn: Exclude<ActivationName, 'linear'>;
  axis: number;
};

export type ExportStep =
  /** Physical transpose: output axis i is input axis perm[i]. */
  | { kind: 'transpose'; perm: number[] }
  | { kind: 'dense'; layer: string; inputs: number; units: number; useBias: boolean }
  /** On channels-first input; pads are [top, left, bottom, right]. */
  | {
      kind: 'conv';
      layer: string;
      inChannels: number;
      filters: number;
      kernel: [number, number];
      strides: [number, number];
      pads: [number, number, number, number];
      useBias: boolean;
    }
  | {
      kind: 'pool';
      layer: string;
      op: 'max' | 'average';
      size: [number, number];
      strides: [number, number];
      pads: [number, number, number, number];
    }
  /** Inference with the moving statistics over physical axis 1 of a rank-`rank` tensor. */
  | {
      kind: 'batchNorm';
      layer: string;
      rank: number;
      features: number;
      epsilon: number;
      momentum: number;
      scale: boolean;
      center: boolean;
    }
  | ActivationStep
  | { kind: 'flatten'; layer: string; features: number }
  /** `shape` excludes the batch axis and has no -1. */
  | { kind: 'reshape'; layer: string; shape: number[] }
  /**
   * Identity at inference; PyTorch keeps it for further training, ONNX drops it. `layout` is the
   * physical layout there (axis i holds logical axis layout[i]): our masks count elements in the
   * logical (NHWC) order, so the PyTorch training runtime permutes to it to draw the same mask.
   * `seed` is the layer's own, when its config fixes one.
   */
  | { kind: 'dropout'; layer: string; rate: number; layout: number[]; seed: number | null };

export interface ExportPlan {
  modelName: string;
  /** Without the batch axis, NHWC as our model takes it. */
  inputShape: number[];
  outputShape: number[];
  steps: ExportStep[];
}

interface Lowering {
  steps: ExportStep[];
  /** Physical axis i holds logical axis layout[i]. */
  layout: number[];
  toLayout(target: readonly number[]): void;
  activation(layer: string, name: ActivationName | undefined, logicalAxis: number): void;
}

const identity = (rank: number) => Array.from({ length: rank }, (_, i) => i);
const CHANNELS_FIRST = [0, 3, 1, 2];

/** [top, left, bottom, right] zero (or -inf, for max) rows and columns, as our kernels pad. */
function windowPads(
  inputShape: Shape,
  window: [number, number],
  strides: [number, number],
  padding: Padding,
): [number, number, number, number] {
  const g = windowGeometry(inputShape[0], inputShape[1], window[0], window[1], strides, padding);
  const total = (size: number, out: number, k: number, s: number) =>
    padding === 'same' ? Math.max((out - 1) * s + k - size, 0) : 0;
  const th = total(inputShape[0], g.outH, window[0], strides[0]);
  const tw = total(inputShape[1], g.outW, window[1], strides[1]);
  return [g.padTop, g.padLeft, th - g.padTop, tw - g.padLeft];
}

type LowerFn<K extends LayerClassName> = (
  layer: InstanceType<(typeof layerClasses)[K]>,
  inputShape: Shape,
  ctx: Lowering,
) => void;

/** One lowering per layer class: a class added to the registry without one does not compile. */
const lowerings: { readonly [K in LayerClassName]: LowerFn<K> } = {
  Dense(layer, inputShape, ctx) {
    const c = layer.getConfig();
    ctx.toLayout(identity(inputShape.length + 1));
    ctx.steps.push({
      kind: 'dense',
      layer: layer.name,
      inputs: inputShape[inputShape.length - 1],
      units: c.units,
      useBias: c.useBias ?? true,
    });
    ctx.activation(layer.name, c.activation, inputShape.length);
  },
  Conv2D(layer, inputShape, ctx) {
    const c = layer.getConfig();
    const kernel = pairOf('Conv2D', 'kernelSize', c.kernelSize);
    const strides = pairOf('Conv2D', 'strides', c.strides ?? 1);
    ctx.toLayout(CHANNELS_FIRST);
    ctx.steps.push({
      kind: 'conv',
      layer: layer.name,
      inChannels: inputShape[2],
      filters: c.filters,
      kernel,
      strides,
      pads: windowPads(inputShape, kernel, strides, c.padding ?? 'valid'),
      useBias: c.useBias ?? true,
    });
    ctx.activation(layer.name, c.activation, 3);
  },
  MaxPooling2D: (layer, inputShape, ctx) => lowerPool('max', layer, inputShape, ctx),
  AveragePooling2D: (layer, inputShape, ctx) => lowerPool('average', layer, inputShape, ctx),
  BatchNormalization(layer, inputShape, ctx) {
    const c = layer.getConfig();
    const rank = inputShape.length + 1;
    const axis = normalizeAxis(layer.name, c.axis ?? -1, rank);
    if (ctx.layout[1] !== axis) {
      ctx.toLayout([0, axis, ...identity(rank).filter((a) => a !== 0 && a !== axis)]);
    }
    ctx.steps.push({
      kind: 'batchNorm',
      layer: layer.name,
      rank,
      features: inputShape[axis - 1],
      epsilon: c.epsilon ?? 1e-3,
      momentum: c.momentum ?? 0.99,
      scale: c.scale ?? true,
      center: c.center ?? true,
    });
  },
  Activation(layer, inputShape, ctx) {
    ctx.activation(layer.name, layer.getConfig().activation, inputShape.length);
  },
  Softmax(layer, inputShape, ctx) {
    const axis = normalizeAxis(layer.name, layer.getConfig().axis ?? -1, inputShape.length + 1);
    ctx.steps.push({ kind: 'activation', layer: layer.name, fn: 'softmax', axis: ctx.layout.indexOf(axis) });
  },
  Flatten(layer, inputShape, ctx) {
    ctx.toLayout(identity(inputShape.length + 1));
    ctx.steps.push({ kind: 'flatten', layer: layer.name, features: inputShape.reduce((a, b) => a * b, 1) });
    ctx.layout = identity(2);
  },
  Reshape(layer, inputShape, ctx) {
    ctx.toLayout(identity(inputShape.length + 1));
    const shape = [...layer.computeOutputShape(inputShape)];
    ctx.steps.push({ kind: 'reshape', layer: layer.name, shape });
    ctx.layout = identity(shape.length + 1);
  },
  Dropout(layer, _inputShape, ctx) {
    const c = layer.getConfig();
    ctx.steps.push({
      kind: 'dropout',
      layer: layer.name,
      rate: c.rate,
      layout: [...ctx.layout],
      seed: c.seed ?? null,
    });
  },
};

function lowerPool(op: 'max' | 'average', layer: Pooling2D, inputShape: Shape, ctx: Lowering): void {
  const c = layer.getConfig();
  const size = pairOf(layer.className, 'poolSize', c.poolSize ?? 2);
  const strides = pairOf(layer.className, 'strides', c.strides ?? size);
  ctx.toLayout(CHANNELS_FIRST);
  ctx.steps.push({
    kind: 'pool',
    layer: layer.name,
    op,
    size,
    strides,
    pads: windowPads(inputShape, size, strides, c.padding ?? 'valid'),
  });
}

/**
 * The steps for `model`, or an error naming what cannot be exported: a model that is not built
 * or not compiled (an uncompiled model has never been trained, so exporting it is almost always a
 * mistake), or a layer class outside the registry.
 */
export function planExport(model: Sequential, format: 'ONNX' | 'PyTorch', method: string): ExportPlan {
  if (!model.built || model.inputShape === null) {
    throw new ModelStateError(
      `${model.name}.${method}: the model is not built; give the first layer an inputShape or call build(inputShape) before exporting to ${format}`,
    );
  }
  model.requireCompiled(method);
  const inputShape = [...model.inputShape];
  const ctx: Lowering = {
    steps: [],
    layout: identity(inputShape.length + 1),
    toLayout(target) {
      if (target.length === this.layout.length && target.every((a, i) => a === this.layout[i])) return;
      if (target.length !== this.layout.length) {
        throw new ExportError(
          `${model.name}.${method}: a ${target.length}-D layout was needed on a ${this.layout.length}-D tensor`,
        );
      }
      this.steps.push({ kind: 'transpose', perm: target.map((a) => this.layout.indexOf(a)) });
      this.layout = [...target];
    },
    activation(layer, name, logicalAxis) {
      if (name === undefined || name === 'linear') return;
      this.steps.push({ kind: 'activation', layer, fn: name, axis: this.layout.indexOf(logicalAxis) });
    },
  };
  for (const layer of model.layers) lowerLayer(model, layer, format, method, ctx);
  ctx.toLayout(identity(ctx.layout.length));
  return { modelName: model.name, inputShape, outputShape: [...model.outputShape], steps: ctx.steps };
}

function lowerLayer(model: Sequential, layer: Layer, format: string, method: string, ctx: Lowering): void {
  const className = layer.className;
  if (!Object.hasOwn(lowerings, className)) {
    throw new ExportError(
      `${model.name}.${method}: layer ${layer.name} (${className}) has no ${format} equivalent; exportable classes: ${Object.keys(lowerings).join(', ')}`,
    );
  }
  const lower = lowerings[className as LayerClassName] as LowerFn<LayerClassName>;
  lower(layer as never, layer.inputShape!, ctx);
}
