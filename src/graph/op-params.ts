/**
 * The primitive op set, as one interface from op name to its parameters. Everything keyed by op
 * name (the op definitions, the CPU kernels, the WebGPU kernels) is a mapped type over this
 * interface, so an op missing its backward or a backend's kernel does not compile.
 */
import type { Shape } from './shape';

export type Padding = 'same' | 'valid';

export interface Conv2dParams {
  strides: readonly [number, number];
  padding: Padding;
}

export interface Pool2dParams {
  poolSize: readonly [number, number];
  strides: readonly [number, number];
  padding: Padding;
}

type None = Record<string, never>;

export interface OpParams {
  // unary elementwise
  neg: None;
  exp: None;
  log: None;
  sqrt: None;
  abs: None;
  sign: None;
  relu: None;
  sigmoid: None;
  tanh: None;
  leakyRelu: { alpha: number };
  elu: { alpha: number };
  clip: { min: number; max: number };
  // binary elementwise, broadcasting
  add: None;
  sub: None;
  mul: None;
  div: None;
  pow: None;
  equal: None;
  notEqual: None;
  greater: None;
  greaterEqual: None;
  less: None;
  lessEqual: None;
  // ternary, broadcasting: cond ? a : b
  where: None;
  // reductions
  sum: { axes: readonly number[]; keepDims: boolean };
  max: { axes: readonly number[]; keepDims: boolean };
  // layout
  reshape: { shape: Shape };
  transpose: { perm: readonly number[] };
  broadcastTo: { shape: Shape };
  slice: { begin: readonly number[]; size: readonly number[] };
  pad: { paddings: readonly (readonly [number, number])[] };
  concat: { axis: number };
  gather: None;
  scatterAdd: { rows: number };
  oneHot: { depth: number };
  // neural-network ops
  matmul: { transposeA: boolean; transposeB: boolean };
  softmax: { axis: number };
  logSoftmax: { axis: number };
  conv2d: Conv2dParams;
  conv2dBackpropInput: Conv2dParams & { inputShape: Shape };
  conv2dBackpropFilter: Conv2dParams & { filterShape: Shape };
  maxPool2d: Pool2dParams;
  maxPool2dGrad: Pool2dParams;
  maxPool2dGather: Pool2dParams;
  avgPool2d: Pool2dParams;
  avgPool2dGrad: Pool2dParams & { inputShape: Shape };
  dropout: { rate: number; seed: number; step: number };
  // fused ops: matmul and conv2d with bias and activation; dy times an activation's derivative, from its
  // output; cross-entropy of softmax(logits) per row, and its gradient with respect to the logits
  fusedMatmul: { transposeA: boolean; transposeB: boolean; activation: FusedActivation };
  fusedConv2d: Conv2dParams & { activation: FusedActivation };
  activationGrad: { activation: Exclude<FusedActivation, 'linear'> };
  softmaxCrossEntropy: None;
  softmaxCrossEntropyGrad: None;
  // per-channel batch-norm parts; `axis` is the channel axis, every other axis is reduced
  channelMoments: { axis: number };
  channelAffine: { axis: number };
  channelSums: { axis: number };
  // fused optimizer updates, one op per weight with an output per slot and one for the weight
  // (outputNames); inputs [w, g, m, v, alpha, decay], outputs [m', v', w']
  adamUpdate: { beta1: number; beta2: number; epsilon: number };
  // inputs [w, g, velocity, lr]; outputs [velocity', w'], or [w'] without momentum (velocity unread)
  sgdUpdate: { momentum: number; nesterov: boolean };
  // inputs [w, g, velocity, average gradient, momentum slot, lr]; unused slots bind velocity again;
  // outputs [velocity', average' (centred), momentum' (momentum > 0), w']
  rmspropUpdate: {
    rho: number;
    momentum: number;
    epsilon: number;
    centered: boolean;
  };
}

export type OpName = keyof OpParams;

/** The ops with several outputs: one optimizer update of a weight (each slot's next value and the weight's). */
export type MultiOutputOp = 'adamUpdate' | 'sgdUpdate' | 'rmspropUpdate';
export type SingleOutputOp = Exclude<OpName, MultiOutputOp>;

const MULTI_OUTPUT: ReadonlySet<OpName> = new Set<MultiOutputOp>([
  'adamUpdate',
  'sgdUpdate',
  'rmspropUpdate',
]);

/** Whether `op` has several outputs: its kernels write one storage per output name (outputNames). */
export function isMultiOutput(op: OpName): op is MultiOutputOp {
  return MULTI_OUTPUT.has(op);
}

/**
 * The outputs of a multi-output op, in order, by name: a slot the configuration does not keep has
 * no output (SGD without momentum updates the weight only).
 */
export function outputNames<K extends MultiOutputOp>(op: K, params: OpParams[K]): readonly string[] {
  if (op === 'adamUpdate') return ['m', 'v', 'w'];
  if (op === 'sgdUpdate') return (params as OpParams['sgdUpdate']).momentum === 0 ? ['w'] : ['velocity', 'w'];
  const { centered, momentum } = params as OpParams['rmspropUpdate'];
  return ['velocity', ...(centered ? ['average'] : []), ...(momentum === 0 ? [] : ['momentum']), 'w'];
}

/** The activations a matmul epilogue applies, each with a derivative that its output determines. */
export type FusedActivation = 'linear' | 'relu' | 'sigmoid' | 'tanh';

/** The broadcasting comparisons: 1 where the relation holds, else 0. */
export type ComparisonOp = 'equal' | 'notEqual' | 'greater' | 'greaterEqual' | 'less' | 'lessEqual';
/** The broadcasting binary elementwise ops. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | ComparisonOp;

/** The convolution and pooling ops: NHWC windows, one kernel family on each backend. */
export type WindowOp =
  | 'conv2d'
  | 'conv2dBackpropInput'
  | 'conv2dBackpropFilter'
  | 'maxPool2d'
  | 'maxPool2dGrad'
  | 'maxPool2dGather'
  | 'avgPool2d'
  | 'avgPool2dGrad';
