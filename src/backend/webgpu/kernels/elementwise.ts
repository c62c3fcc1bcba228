/** Elementwise kernels: unary, broadcasting binary and comparisons, where, dropout. */
import { dropoutThreshold, streamKey } from '../../../graph/random';
import { broadcastStrides, type Shape, sizeOf } from '../../../graph/shape';
import type { AnyItemKernel, ConstantsOf, ParamsOf } from '../declare-kernel';
import type { KernelDispatch, KernelEnv, WebGPUKernel, WebGPUKernels } from '../kernel-types';
import { checkRank } from '../params';
import { SHADERS } from '../shaders';

/**
 * Several elements per thread (PER override, `env.elementsPerThread`): every map-like shader loops
 * over PER elements WG apart. CPU-emulated adapters pay a fixed cost per invocation and per
 * workgroup, which several elements per thread spread out (measured with StepPlan.profile: W2's
 * Adam updates at one element per thread took 63 ms of a 148 ms step on SwiftShader).
 */
export function chunked<K extends AnyItemKernel>(
  env: KernelEnv,
  n: number,
  kernel: K,
  inputs: readonly GPUBuffer[],
  params: Omit<ParamsOf<K>, 'n'>,
  constants = {} as Omit<ConstantsOf<K>, 'WG' | 'PER'>,
  per = env.elementsPerThread,
  wg = env.workgroupSize,
): KernelDispatch[] {
  if (n === 0) return [];
  return [
    kernel.dispatch({
      inputs,
      params: { ...params, n } as unknown as ParamsOf<K>,
      constants: { ...constants, WG: wg, PER: per },
      workgroups: Math.ceil(n / (wg * per)),
    }),
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

type UnaryParams = Omit<ParamsOf<typeof SHADERS.unary>, 'n'>;

function unary<K extends UnaryOp>(op: K, params?: (p: never) => UnaryParams): WebGPUKernel<K> {
  return ([x], outShape, p, env) =>
    chunked(env, sizeOf(outShape), SHADERS.unary, [x.buffer], params?.(p as never) ?? {}, {
      OP: UNARY_OPS[op],
    });
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

/** How broadcast.wgsl finds one operand's element: its mode, strides into it, block div and len. */
interface BroadcastOperand {
  readonly mode: number;
  readonly strides: readonly number[];
  readonly div: number;
  readonly len: number;
}

function broadcastOperand(op: string, shape: Shape, outShape: Shape): BroadcastOperand {
  checkRank(op, outShape);
  const [mode, div, len] = operandMode(shape, outShape);
  return { mode, strides: broadcastStrides(shape, outShape), div, len };
}

function binary<K extends BinaryOp>(op: K): WebGPUKernel<K> {
  return ([a, b], outShape, _params, env) => {
    const [p, q] = [a, b].map((x) => broadcastOperand(op, x.shape, outShape));
    const params = {
      rank: outShape.length,
      outShape,
      ...{ aStrides: p.strides, aDiv: p.div, aLen: p.len },
      ...{ bStrides: q.strides, bDiv: q.div, bLen: q.len },
    };
    return chunked(env, sizeOf(outShape), SHADERS.binary, [a.buffer, b.buffer], params, {
      OP: BINARY_OPS[op],
      A_MODE: p.mode,
      B_MODE: q.mode,
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
  leakyRelu: unary('leakyRelu', ({ alpha }: { alpha: number }) => ({ alpha })),
  elu: unary('elu', ({ alpha }: { alpha: number }) => ({ alpha })),
  clip: unary('clip', ({ min, max }: { min: number; max: number }) => ({ lo: min, hi: max })),
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
    const [c, p, q] = [cond, a, b].map((x) => broadcastOperand('where', x.shape, outShape));
    const params = {
      rank: outShape.length,
      outShape,
      ...{ condStrides: c.strides, condDiv: c.div, condLen: c.len },
      ...{ aStrides: p.strides, aDiv: p.div, aLen: p.len },
      ...{ bStrides: q.strides, bDiv: q.div, bLen: q.len },
    };
    return chunked(env, sizeOf(outShape), SHADERS.where, [cond.buffer, a.buffer, b.buffer], params, {
      C_MODE: c.mode,
      A_MODE: p.mode,
      B_MODE: q.mode,
    });
  },
  dropout: ([x], outShape, { rate, seed, step }, env) => {
    const params = { key: streamKey(seed, step), threshold: dropoutThreshold(rate), scale: 1 / (1 - rate) };
    return chunked(env, sizeOf(outShape), SHADERS.dropout, [x.buffer], params);
  },
};

/**
 * One element per thread, for the same shaders: kernels whose every output is a long reduction
 * (a filter gradient, a scatter-add), where spreading few outputs over many threads and
 * workgroups matters more than the per-invocation cost.
 */
export function perElement<K extends AnyItemKernel>(
  env: KernelEnv,
  n: number,
  kernel: K,
  inputs: readonly GPUBuffer[],
  params: Omit<ParamsOf<K>, 'n'>,
  constants = {} as Omit<ConstantsOf<K>, 'WG' | 'PER'>,
): KernelDispatch[] {
  // Few outputs (a 3x3x1x8 filter gradient has 72) in 64-thread workgroups would leave one
  // workgroup, one core, with most of the work: smaller workgroups spread them.
  const spread = 2 ** Math.floor(Math.log2(Math.max(1, n / MIN_WORKGROUPS)));
  const wg = Math.min(env.workgroupSize, Math.max(4, spread));
  return chunked(env, n, kernel, inputs, params, constants, 1, wg);
}
