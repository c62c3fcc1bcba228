/**
 * Every WGSL kernel, declared once (declare-kernel.ts): its bindings, its params by name and type,
 * its override constants with their defaults. The sources are imported as text (Vite's `?raw`,
 * inlined by the library build); generated and shared parts are appended, not prepended, so line
 * numbers in compile errors are those of the kernel's own file.
 */
import activation from '../../../shaders/activation.wgsl?raw';
import activationGrad from '../../../shaders/activation-grad.wgsl?raw';
import adam from '../../../shaders/adam.wgsl?raw';
import adamUpdate from '../../../shaders/adam-update.wgsl?raw';
import binary from '../../../shaders/binary.wgsl?raw';
import broadcast from '../../../shaders/broadcast.wgsl?raw';
import channelAffine from '../../../shaders/channel-affine.wgsl?raw';
import channelFold from '../../../shaders/channel-fold.wgsl?raw';
import channelReduce from '../../../shaders/channel-reduce.wgsl?raw';
import channelReduceSubgroup from '../../../shaders/channel-reduce-subgroup.wgsl?raw';
import channelReduceTree from '../../../shaders/channel-reduce-tree.wgsl?raw';
import channelReduceWorkgroup from '../../../shaders/channel-reduce-workgroup.wgsl?raw';
import conv from '../../../shaders/conv.wgsl?raw';
import dropout from '../../../shaders/dropout.wgsl?raw';
import gather from '../../../shaders/gather.wgsl?raw';
import layout from '../../../shaders/layout.wgsl?raw';
import matmulBlock4 from '../../../shaders/matmul-block4.wgsl?raw';
import matmulEpilogue from '../../../shaders/matmul-epilogue.wgsl?raw';
import matmulRegister from '../../../shaders/matmul-register.wgsl?raw';
import matmulSlices from '../../../shaders/matmul-slices.wgsl?raw';
import matmulSlicesSum from '../../../shaders/matmul-slices-sum.wgsl?raw';
import matmulSplitK from '../../../shaders/matmul-splitk.wgsl?raw';
import matmulSplitKSubgroups from '../../../shaders/matmul-splitk-subgroups.wgsl?raw';
import matmulTiled from '../../../shaders/matmul-tiled.wgsl?raw';
import matmulVec4 from '../../../shaders/matmul-vec4.wgsl?raw';
import onehot from '../../../shaders/onehot.wgsl?raw';
import poolAvg from '../../../shaders/pool-avg.wgsl?raw';
import poolMax from '../../../shaders/pool-max.wgsl?raw';
import reduce from '../../../shaders/reduce.wgsl?raw';
import reduceOffsets from '../../../shaders/reduce-offsets.wgsl?raw';
import reduceSerial from '../../../shaders/reduce-serial.wgsl?raw';
import reduceSubgroup from '../../../shaders/reduce-subgroup.wgsl?raw';
import reduceWorkgroup from '../../../shaders/reduce-workgroup.wgsl?raw';
import rmspropUpdate from '../../../shaders/rmsprop-update.wgsl?raw';
import sgdUpdate from '../../../shaders/sgd-update.wgsl?raw';
import softmax from '../../../shaders/softmax.wgsl?raw';
import softmaxCrossEntropy from '../../../shaders/softmax-cross-entropy.wgsl?raw';
import softmaxLines from '../../../shaders/softmax-lines.wgsl?raw';
import softmaxSubgroup from '../../../shaders/softmax-subgroup.wgsl?raw';
import subgroupTotal from '../../../shaders/subgroup-total.wgsl?raw';
import unary from '../../../shaders/unary.wgsl?raw';
import where from '../../../shaders/where.wgsl?raw';
import { type Bindings, declareItemKernel, declareKernel } from './declare-kernel';
import type { FieldTypes } from './params';
import type { ShaderSource } from './pipelines';

/** Sum or max over any set of axes (reduce.wgsl one workgroup per output, reduce-serial.wgsl one thread). */
const REDUCTION = {
  shared: [reduceOffsets],
  bindings: { x: 'read', y: 'write' },
  // length: terms per output (R); the ranks of the kept and reduced axes (after merging).
  params: { outputs: 'u32', length: 'u32', keptRank: 'u32', reducedRank: 'u32' },
  // Shapes of the kept and reduced axes and their strides in x.
  dims: ['keptShape', 'keptStrides', 'reducedShape', 'reducedStrides'],
  // PARTS: workgroups per output in a two-pass reduction's first pass (reduce-workgroup.wgsl).
  overrides: { OP: 0, WG: 64, SIMPLE: 0, PARTS: 1 },
} as const;

/** Softmax and log-softmax along one axis (softmax.wgsl and its subgroup variant). */
const SOFTMAX = {
  bindings: { x: 'read', y: 'write' },
  params: { lines: 'u32', lineLength: 'u32', inner: 'u32' },
  overrides: { LOG: 0, WG: 64, SERIAL: 0 },
} as const;

/**
 * C = act(op(A) op(B) + bias) (matmul-*.wgsl): the variants share their params and epilogue
 * (matmul-epilogue.wgsl); each has its own tiling overrides. blocksPerRow: blocks of C per row of
 * blocks; blocks: in all. Those with a 4x4 block per thread or workgroup also share its
 * addressing (matmul-block4.wgsl); register, vec4 and tiled can also compute slices of k for
 * split-K across dispatches (matmul-slices.wgsl), which matmulSlicesSum adds up.
 */
const MATMUL = {
  shared: [activation, matmulEpilogue],
  params: { m: 'u32', n: 'u32', k: 'u32', blocksPerRow: 'u32', blocks: 'u32' },
} as const;
const EPILOGUE = { TRANS_A: false, TRANS_B: false, BIAS: false, ACT: 0 } as const;
/** The kernels that can also compute split-K slices (matmul-slices.wgsl: SLICES > 1). */
const SLICED = { shared: [...MATMUL.shared, matmulSlices], overrides: { SLICES: 1 } } as const;
const MATMUL_BINDINGS = { a: 'read', b: 'read', bias: 'read', c: 'write' } as const;

/** A pooling window's geometry on NHWC input (pool-avg.wgsl, pool-max.wgsl). */
const POOL_GEOMETRY = {
  inH: 'i32',
  inW: 'i32',
  ch: 'i32',
  outH: 'i32',
  outW: 'i32',
  pH: 'i32',
  pW: 'i32',
  sH: 'i32',
  sW: 'i32',
  padTop: 'i32',
  padLeft: 'i32',
} as const;

/** Batch norm's per-channel reductions: one thread per channel, or one workgroup (tree). */
const CHANNEL_REDUCTION = {
  shared: [channelFold],
  bindings: { a: 'read', x: 'read', center: 'read', out: 'write' },
  // channels: C; inner: elements after the channel axis; perChannel: elements per channel (N).
  params: { channels: 'u32', inner: 'u32', perChannel: 'u32' },
  // PARTS: workgroups per channel in a two-pass channelSums' first pass (channel-reduce-workgroup.wgsl).
  overrides: { MODE: 0, SIMPLE: false, WG: 64, PARTS: 1 },
} as const;

/** Adam's hyper-parameters as adam.wgsl reads them; the 1 - beta terms are rounded to f32 on the host. */
const ADAM = {
  beta1: 'f32',
  oneMinusBeta1: 'f32',
  beta2: 'f32',
  oneMinusBeta2: 'f32',
  epsilon: 'f32',
} as const;

/**
 * An optimizer update writing the outputs `outputs` names (`<name>Out`, op-params.ts `outputNames`):
 * `fn item` is generated after the file, storing the fields of the struct its `step` function
 * returns, so each configuration's kernel binds only the slots it keeps.
 */
function updateKernel<const F extends FieldTypes>(
  file: string,
  source: string,
  inputs: Bindings,
  params: F,
  step: string,
  outputs: readonly string[],
) {
  const stores = outputs.map((name) => `  ${name}Out[i] = s.${name};`);
  return declareItemKernel({
    file,
    source: [source, `fn item(i: u32) {`, `  let s = ${step}(i);`, ...stores, '}'].join('\n'),
    bindings: { ...inputs, ...Object.fromEntries(outputs.map((name) => [`${name}Out`, 'write' as const])) },
    params,
    overrides: {},
  });
}

const SGD_INPUTS = { w: 'read', g: 'read', velocity: 'read', lr: 'read' } as const;
const SGD = { momentum: 'f32', nesterov: 'u32' } as const;
/** By output names joined with commas: with momentum, and without. */
const SGD_VARIANTS = Object.fromEntries(
  [['velocity', 'w'], ['w']].map((outs) => [
    outs.join(),
    updateKernel('sgd-update', sgdUpdate, SGD_INPUTS, SGD, 'sgdStep', outs),
  ]),
);

const RMSPROP_INPUTS = {
  w: 'read',
  g: 'read',
  velocity: 'read',
  average: 'read',
  slot: 'read',
  lr: 'read',
} as const;
const RMSPROP = { rho: 'f32', oneMinusRho: 'f32', momentum: 'f32', epsilon: 'f32', centered: 'u32' } as const;
/** By output names joined with commas: centred or not, with momentum or not. */
const RMSPROP_VARIANTS = Object.fromEntries(
  [[], ['average'], ['momentum'], ['average', 'momentum']].map((slots) => {
    const outs = ['velocity', ...slots, 'w'];
    return [
      outs.join(),
      updateKernel('rmsprop-update', rmspropUpdate, RMSPROP_INPUTS, RMSPROP, 'rmspropStep', outs),
    ];
  }),
);

export const SHADERS = {
  activationGrad: declareItemKernel({
    file: 'activation-grad',
    source: activationGrad,
    bindings: { dy: 'read', y: 'read', dx: 'write' },
    params: {},
    overrides: { OP: 1 },
  }),
  adamUpdate: declareItemKernel({
    file: 'adam-update',
    source: adamUpdate,
    shared: [adam],
    bindings: {
      ...{ w: 'read', g: 'read', m: 'read', v: 'read', a: 'read', d: 'read' },
      ...{ mOut: 'write', vOut: 'write', wOut: 'write' },
    },
    params: ADAM,
    overrides: {},
  }),
  binary: declareItemKernel({
    file: 'binary',
    source: binary,
    shared: [broadcast],
    bindings: { a: 'read', b: 'read', y: 'write' },
    // rank: of the output; xDiv, xLen: operand x's block (i / div) % len in mode 2 (broadcast.wgsl).
    params: { rank: 'u32', aDiv: 'u32', aLen: 'u32', bDiv: 'u32', bLen: 'u32' },
    // Strides are 0 on an operand's broadcast axes; only mode 0 reads them.
    dims: ['outShape', 'aStrides', 'bStrides'],
    overrides: { OP: 0, A_MODE: 0, B_MODE: 0 },
  }),
  channelAffine: declareItemKernel({
    file: 'channel-affine',
    source: channelAffine,
    bindings: { x: 'read', center: 'read', scale: 'read', shift: 'read', y: 'write' },
    params: { channels: 'u32', inner: 'u32' },
    overrides: {},
  }),
  channelReduce: declareKernel({ file: 'channel-reduce', source: channelReduce, ...CHANNEL_REDUCTION }),
  channelReduceTree: declareKernel({
    file: 'channel-reduce-tree',
    source: channelReduceTree,
    ...CHANNEL_REDUCTION,
    shared: [channelFold, channelReduceWorkgroup],
  }),
  channelReduceSubgroup: declareKernel({
    file: 'channel-reduce-subgroup',
    source: channelReduceSubgroup,
    ...CHANNEL_REDUCTION,
    shared: [channelFold, channelReduceWorkgroup, subgroupTotal],
  }),
  conv: declareItemKernel({
    file: 'conv',
    source: conv,
    shared: [activation],
    bindings: { p: 'read', q: 'read', bias: 'read', y: 'write' },
    params: {
      batch: 'i32',
      inH: 'i32',
      inW: 'i32',
      inC: 'i32',
      outH: 'i32',
      outW: 'i32',
      outC: 'i32',
      kH: 'i32',
      kW: 'i32',
      sH: 'i32',
      sW: 'i32',
      padTop: 'i32',
      padLeft: 'i32',
    },
    // FB: filters per work item of MODE 0 (8 or 4).
    overrides: { MODE: 0, BIAS: false, ACT: 0, FB: 8 },
  }),
  dropout: declareItemKernel({
    file: 'dropout',
    source: dropout,
    bindings: { x: 'read', y: 'write' },
    params: { key: 'u32', threshold: 'u32', scale: 'f32' },
    overrides: {},
  }),
  gather: declareItemKernel({
    file: 'gather',
    source: gather,
    bindings: { x: 'read', indices: 'read', y: 'write' },
    // rowSize: values per row; xRows: rows of x (MODE 0, gather); indexCount: indices (MODE 1, scatterAdd).
    params: { rowSize: 'u32', xRows: 'u32?', indexCount: 'u32?' },
    overrides: { MODE: 0 },
  }),
  layout: declareItemKernel({
    file: 'layout',
    source: layout,
    bindings: { x: 'read', y: 'write' },
    // offset: into x (modes 0, 3) or y (mode 2); mode 3 reads nothing else.
    params: { rank: 'u32?', offset: 'u32?' },
    // SHAPE: coordinates of the item (the output's, the input's in mode 2); STRIDES: into x (modes
    // 0, 1) or y (mode 2); BEFORE, X_SHAPE: mode 1's padding before each axis and x's shape.
    dims: ['shape?', 'strides?', 'before?', 'xShape?'],
    overrides: { MODE: 0 },
  }),
  matmulRegister: declareKernel({
    file: 'matmul-register',
    source: matmulRegister,
    ...MATMUL,
    shared: [...SLICED.shared, matmulBlock4],
    bindings: MATMUL_BINDINGS,
    overrides: { WG: 64, ...EPILOGUE, ...SLICED.overrides },
  }),
  matmulTiled: declareKernel({
    file: 'matmul-tiled',
    source: matmulTiled,
    ...MATMUL,
    shared: SLICED.shared,
    bindings: MATMUL_BINDINGS,
    overrides: { TS: 16, ...EPILOGUE, ...SLICED.overrides },
  }),
  matmulSlicesSum: declareItemKernel({
    file: 'matmul-slices-sum',
    source: matmulSlicesSum,
    shared: MATMUL.shared,
    bindings: { part: 'read', bias: 'read', c: 'write' },
    params: { cols: 'u32', slices: 'u32' },
    overrides: { BIAS: false, ACT: 0 },
  }),
  matmulSplitK: declareKernel({
    file: 'matmul-splitk',
    source: matmulSplitK,
    ...MATMUL,
    shared: [...MATMUL.shared, matmulBlock4],
    bindings: MATMUL_BINDINGS,
    overrides: { SPLIT: 64, ...EPILOGUE },
  }),
  matmulSplitKSubgroups: declareKernel({
    file: 'matmul-splitk-subgroups',
    source: matmulSplitKSubgroups,
    ...MATMUL,
    shared: [...MATMUL.shared, matmulBlock4],
    bindings: MATMUL_BINDINGS,
    overrides: { SPLIT: 64, THREAD_PARTS: false, ...EPILOGUE },
  }),
  matmulVec4: declareKernel({
    file: 'matmul-vec4',
    source: matmulVec4,
    ...MATMUL,
    shared: SLICED.shared,
    bindings: { ...MATMUL_BINDINGS, a: 'read vec4<f32>', b: 'read vec4<f32>' },
    overrides: { TX: 8, TY: 4, ...EPILOGUE, ...SLICED.overrides },
  }),
  onehot: declareItemKernel({
    file: 'onehot',
    source: onehot,
    bindings: { indices: 'read', y: 'write' },
    params: { depth: 'u32' },
    overrides: {},
  }),
  poolAvg: declareItemKernel({
    file: 'pool-avg',
    source: poolAvg,
    bindings: { x: 'read', y: 'write' },
    params: POOL_GEOMETRY,
    overrides: { MODE: 0 },
  }),
  poolMax: declareItemKernel({
    file: 'pool-max',
    source: poolMax,
    bindings: { x: 'read', second: 'read', y: 'write' },
    params: POOL_GEOMETRY,
    overrides: { MODE: 0 },
  }),
  reduce: declareKernel({
    file: 'reduce',
    source: reduce,
    ...REDUCTION,
    shared: [reduceOffsets, reduceWorkgroup],
  }),
  reduceSerial: declareKernel({ file: 'reduce-serial', source: reduceSerial, ...REDUCTION }),
  reduceSubgroup: declareKernel({
    file: 'reduce-subgroup',
    source: reduceSubgroup,
    ...REDUCTION,
    shared: [reduceOffsets, reduceWorkgroup, subgroupTotal],
  }),
  softmax: declareKernel({ file: 'softmax', source: softmax, ...SOFTMAX, shared: [softmaxLines] }),
  softmaxSubgroup: declareKernel({
    file: 'softmax-subgroup',
    source: softmaxSubgroup,
    ...SOFTMAX,
    shared: [softmaxLines, subgroupTotal],
  }),
  softmaxCrossEntropy: declareKernel({
    file: 'softmax-cross-entropy',
    source: softmaxCrossEntropy,
    bindings: { z: 'read', t: 'read', dy: 'read', out: 'write' },
    params: { rows: 'u32', classes: 'u32' },
    overrides: { MODE: 0, WG: 64 },
  }),
  unary: declareItemKernel({
    file: 'unary',
    source: unary,
    shared: [activation],
    bindings: { x: 'read', y: 'write' },
    // alpha: leakyRelu's slope, elu's scale; lo, hi: clip's bounds.
    params: { alpha: 'f32?', lo: 'f32?', hi: 'f32?' },
    overrides: { OP: 0 },
  }),
  where: declareItemKernel({
    file: 'where',
    source: where,
    shared: [broadcast],
    bindings: { cond: 'read', a: 'read', b: 'read', y: 'write' },
    params: {
      rank: 'u32',
      condDiv: 'u32',
      condLen: 'u32',
      aDiv: 'u32',
      aLen: 'u32',
      bDiv: 'u32',
      bLen: 'u32',
    },
    dims: ['outShape', 'condStrides', 'aStrides', 'bStrides'],
    overrides: { C_MODE: 0, A_MODE: 0, B_MODE: 0 },
  }),
} as const satisfies Record<string, ShaderSource>;

/** The optimizer updates whose kernel depends on the outputs a configuration keeps, by their names joined. */
export const UPDATE_SHADERS = { sgdUpdate: SGD_VARIANTS, rmspropUpdate: RMSPROP_VARIANTS } as const;
