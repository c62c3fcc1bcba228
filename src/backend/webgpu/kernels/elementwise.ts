/** Elementwise kernels: unary, broadcasting binary and comparisons, where, dropout. */
import { dropoutThreshold, streamKey } from '../../../graph/random';
import { broadcastStrides, type Shape, sizeOf } from '../../../graph/shape';
import type { KernelDispatch, KernelEnv, WebGPUKernel, WebGPUKernels } from '../kernel-types';
import { checkRank, ParamWords } from '../params';
import { SHADERS } from '../shaders';

/**
 * Several elements per thread (PER override, `env.elementsPerThread`): every map-like shader loops
 * over PER elements WG apart. CPU-emulated adapters pay a fixed cost per invocation and per
 * workgroup, which several elements per thread spread out (measured with StepPlan.profile: W2's
 * Adam updates at one element per thread took 63 ms of a 148 ms step on SwiftShader).
 */
export function chunked(
  env: KernelEnv,
  n: number,
  shader: KernelDispatch['shader'],
  inputs: readonly GPUBuffer[],
  params: ParamWords,
  constants: Record<string, number> = {},
  per = env.elementsPerThread,
  wg = env.workgroupSize,
): KernelDispatch[] {
  if (n === 0) return [];
  params.u(0, n);
  return [
    {
      shader,
      constants: { ...constants, WG: wg, PER: per },
      inputs,
      params,
      workgroups: Math.ceil(n / (wg * per)),
    },
  ];
}

/** Workgroups the few-long-outputs kernels aim for, so every core of a CPU emulation gets some. */
const MIN_WORKGROUPS = 8;

const UNARY_OPS = {
  neg: 0,
  exp: 1,
  log: 2,
  sqrt: 3,
  abs: 4,
  sign: 5,
  relu: 6,
  sigmoid: 7,
  tanh: 8,
  leakyRelu: 9,
  elu: 10,
  clip: 11,
} as const;
type UnaryOp = keyof typeof UNARY_OPS;

function unary<K extends UnaryOp>(op: K, fill?: (p: ParamWords, params: never) => void): WebGPUKernel<K> {
  return ([x], outShape, params, env) => {
    const words = new ParamWords();
    fill?.(words, params as never);
    return chunked(env, sizeOf(outShape), SHADERS.unary, [x.buffer], words, { OP: UNARY_OPS[op] });
  };
}

const BINARY_OPS = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  pow: 4,
  equal: 5,
  notEqual: 6,
  greater: 7,
  greaterEqual: 8,
  less: 9,
  lessEqual: 10,
} as const;
type BinaryOp = keyof typeof BINARY_OPS;

const STRIDED = 0;
const SAME = 1;
const BLOCK = 2;
const SCALAR = 3;

/**
 * How the shader finds an operand's element for output index i, with the [div, len] of BLOCK:
 * the operand, leading 1s aside, equals the output on one run of consecutive axes [p, q) and is 1
 * elsewhere, so its element is (i / size(out[q..])) % size(out[p..q)).
 */
export function operandMode(shape: Shape, outShape: Shape): [mode: number, div: number, len: number] {
  const size = sizeOf(shape);
  if (size === sizeOf(outShape)) return [SAME, 1, size];
  if (size === 1) return [SCALAR, 1, 1];
  const lead = outShape.length - shape.length;
  const axes = shape.map((_, d) => d + lead).filter((d) => shape[d - lead] !== 1);
  const p = axes[0];
  const q = axes[axes.length - 1] + 1;
  if (axes.length !== q - p) return [STRIDED, 1, size];
  return [BLOCK, sizeOf(outShape.slice(q)), size];
}

/**
 * Output shape, then each input's broadcast strides, in 8-word slots from word 2; then each input's
 * [div, len] from `blockAt`; returns the words and each input's mode.
 */
function broadcastWords(
  op: string,
  outShape: Shape,
  inputShapes: readonly Shape[],
  blockAt: number,
): [ParamWords, number[]] {
  checkRank(op, outShape);
  const words = new ParamWords().u(1, outShape.length).list(2, outShape);
  const modes = inputShapes.map((s, k) => {
    words.list(10 + 8 * k, broadcastStrides(s, outShape));
    const [mode, div, len] = operandMode(s, outShape);
    words.u(blockAt + 2 * k, div).u(blockAt + 2 * k + 1, len);
    return mode;
  });
  return [words, modes];
}

function binary<K extends BinaryOp>(op: K): WebGPUKernel<K> {
  return ([a, b], outShape, _params, env) => {
    const [words, [aMode, bMode]] = broadcastWords(op, outShape, [a.shape, b.shape], 26);
    return chunked(env, sizeOf(outShape), SHADERS.binary, [a.buffer, b.buffer], words, {
      OP: BINARY_OPS[op],
      A_MODE: aMode,
      B_MODE: bMode,
    });
  };
}

export const elementwiseKernels: WebGPUKernels<UnaryOp | BinaryOp | 'where' | 'dropout'> = {
  neg: unary('neg'),
  exp: unary('exp'),
  log: unary('log'),
  sqrt: unary('sqrt'),
  abs: unary('abs'),
  sign: unary('sign'),
  relu: unary('relu'),
  sigmoid: unary('sigmoid'),
  tanh: unary('tanh'),
  leakyRelu: unary('leakyRelu', (p, { alpha }: { alpha: number }) => p.f(1, alpha)),
  elu: unary('elu', (p, { alpha }: { alpha: number }) => p.f(1, alpha)),
  clip: unary('clip', (p, { min, max }: { min: number; max: number }) => p.f(1, min).f(2, max)),
  add: binary('add'),
  sub: binary('sub'),
  mul: binary('mul'),
  div: binary('div'),
  pow: binary('pow'),
  equal: binary('equal'),
  notEqual: binary('notEqual'),
  greater: binary('greater'),
  greaterEqual: binary('greaterEqual'),
  less: binary('less'),
  lessEqual: binary('lessEqual'),
  where: ([cond, a, b], outShape, _params, env) => {
    const [words, [cMode, aMode, bMode]] = broadcastWords(
      'where',
      outShape,
      [cond.shape, a.shape, b.shape],
      34,
    );
    return chunked(env, sizeOf(outShape), SHADERS.where, [cond.buffer, a.buffer, b.buffer], words, {
      C_MODE: cMode,
      A_MODE: aMode,
      B_MODE: bMode,
    });
  },
  dropout: ([x], outShape, { rate, seed, step }, env) => {
    const words = new ParamWords()
      .u(1, streamKey(seed, step))
      .u(2, dropoutThreshold(rate))
      .f(3, 1 / (1 - rate));
    return chunked(env, sizeOf(outShape), SHADERS.dropout, [x.buffer], words);
  },
};

/**
 * One element per thread, for the same shaders: kernels whose every output is a long reduction
 * (a filter gradient, a scatter-add), where spreading few outputs over many threads and
 * workgroups matters more than the per-invocation cost.
 */
export function perElement(
  env: KernelEnv,
  n: number,
  shader: KernelDispatch['shader'],
  inputs: readonly GPUBuffer[],
  params: ParamWords,
  constants: Record<string, number> = {},
): KernelDispatch[] {
  // Few outputs (a 3x3x1x8 filter gradient has 72) in 64-thread workgroups would leave one
  // workgroup, one core, with most of the work: smaller workgroups spread them.
  const spread = 2 ** Math.floor(Math.log2(Math.max(1, n / MIN_WORKGROUPS)));
  const wg = Math.min(env.workgroupSize, Math.max(4, spread));
  return chunked(env, n, shader, inputs, params, constants, 1, wg);
}
