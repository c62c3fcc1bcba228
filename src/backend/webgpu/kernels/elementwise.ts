/** Elementwise kernels: unary, broadcasting binary and comparisons, where, dropout. */
import { dropoutThreshold, streamKey } from '../../../graph/random';
import { broadcastStrides, type Shape, sizeOf } from '../../../graph/shape';
import type { KernelDispatch, KernelEnv, WebGPUKernel, WebGPUKernels } from '../kernel-types';
import { checkRank, ParamWords } from '../params';
import { SHADERS } from '../shaders';

/** One thread per element: the dispatch of every map-like kernel. */
export function perElement(
  env: KernelEnv,
  n: number,
  shader: KernelDispatch['shader'],
  inputs: readonly GPUBuffer[],
  params: ParamWords,
  constants: Record<string, number> = {},
): KernelDispatch[] {
  if (n === 0) return [];
  params.u(0, n);
  return [
    {
      shader,
      constants: { ...constants, WG: env.workgroupSize },
      inputs,
      params,
      workgroups: Math.ceil(n / env.workgroupSize),
    },
  ];
}

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
    return perElement(env, sizeOf(outShape), SHADERS.unary, [x.buffer], words, { OP: UNARY_OPS[op] });
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

/** Output shape, then each input's broadcast strides, in 8-word slots from word 2. */
function broadcastWords(op: string, outShape: Shape, inputShapes: readonly Shape[]): ParamWords {
  checkRank(op, outShape);
  const words = new ParamWords().u(1, outShape.length).list(2, outShape);
  inputShapes.forEach((s, k) => {
    words.list(10 + 8 * k, broadcastStrides(s, outShape));
  });
  return words;
}

function binary<K extends BinaryOp>(op: K): WebGPUKernel<K> {
  return ([a, b], outShape, _params, env) =>
    perElement(
      env,
      sizeOf(outShape),
      SHADERS.binary,
      [a.buffer, b.buffer],
      broadcastWords(op, outShape, [a.shape, b.shape]),
      { OP: BINARY_OPS[op] },
    );
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
  where: ([cond, a, b], outShape, _params, env) =>
    perElement(
      env,
      sizeOf(outShape),
      SHADERS.where,
      [cond.buffer, a.buffer, b.buffer],
      broadcastWords('where', outShape, [cond.shape, a.shape, b.shape]),
    ),
  dropout: ([x], outShape, { rate, seed, step }, env) => {
    const words = new ParamWords()
      .u(1, streamKey(seed, step))
      .u(2, dropoutThreshold(rate))
      .f(3, 1 / (1 - rate));
    return perElement(env, sizeOf(outShape), SHADERS.dropout, [x.buffer], words);
  },
};
