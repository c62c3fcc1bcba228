/** Elementwise kernels: unary, broadcasting binary, comparisons, where, dropout. */
import { dropoutKeeps, dropoutThreshold, streamKey } from '../../../graph/random';
import type { CpuKernels, CpuTensor } from '../types';

/** A kernel that takes no parameters: assignable to any op's kernel type. */
type ParamFree = (inputs: readonly CpuTensor[], out: CpuTensor) => void;

import { broadcastIndices } from './indexing';

function unary(f: (x: number) => number): ParamFree {
  return ([x], out) => {
    const a = x.data;
    const o = out.data;
    for (let i = 0; i < o.length; i++) o[i] = f(a[i]);
  };
}

function binary(f: (a: number, b: number) => number): ParamFree {
  return ([a, b], out) => {
    const o = out.data;
    const ad = a.data;
    const bd = b.data;
    const ia = broadcastIndices(a.shape, out.shape);
    const ib = broadcastIndices(b.shape, out.shape);
    if (!ia && !ib) {
      for (let i = 0; i < o.length; i++) o[i] = f(ad[i], bd[i]);
    } else if (!ia && bd.length === 1) {
      const s = bd[0];
      for (let i = 0; i < o.length; i++) o[i] = f(ad[i], s);
    } else {
      for (let i = 0; i < o.length; i++) o[i] = f(ad[ia ? ia[i] : i], bd[ib ? ib[i] : i]);
    }
  };
}

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

export const elementwiseKernels: CpuKernels<
  | 'neg'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'abs'
  | 'sign'
  | 'relu'
  | 'sigmoid'
  | 'tanh'
  | 'leakyRelu'
  | 'elu'
  | 'clip'
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'equal'
  | 'notEqual'
  | 'greater'
  | 'greaterEqual'
  | 'less'
  | 'lessEqual'
  | 'where'
  | 'dropout'
> = {
  neg: unary((x) => -x),
  exp: unary(Math.exp),
  log: unary(Math.log),
  sqrt: unary(Math.sqrt),
  abs: unary(Math.abs),
  sign: unary((x) => (x > 0 ? 1 : x < 0 ? -1 : 0)),
  relu: unary((x) => Math.max(x, 0)),
  sigmoid: unary(sigmoid),
  tanh: unary(Math.tanh),
  leakyRelu: (inputs, out, { alpha }) => unary((x) => (x > 0 ? x : alpha * x))(inputs, out),
  elu: (inputs, out, { alpha }) => unary((x) => (x > 0 ? x : alpha * Math.expm1(x)))(inputs, out),
  clip: (inputs, out, { min, max }) => unary((x) => Math.min(Math.max(x, min), max))(inputs, out),
  add: binary((a, b) => a + b),
  sub: binary((a, b) => a - b),
  mul: binary((a, b) => a * b),
  div: binary((a, b) => a / b),
  pow: binary(Math.pow),
  equal: binary((a, b) => (a === b ? 1 : 0)),
  notEqual: binary((a, b) => (a !== b ? 1 : 0)),
  greater: binary((a, b) => (a > b ? 1 : 0)),
  greaterEqual: binary((a, b) => (a >= b ? 1 : 0)),
  less: binary((a, b) => (a < b ? 1 : 0)),
  lessEqual: binary((a, b) => (a <= b ? 1 : 0)),
  where: ([cond, a, b], out) => {
    const o = out.data;
    const [ic, ia, ib] = [cond, a, b].map((t) => broadcastIndices(t.shape, out.shape));
    for (let i = 0; i < o.length; i++) {
      o[i] = cond.data[ic ? ic[i] : i] !== 0 ? a.data[ia ? ia[i] : i] : b.data[ib ? ib[i] : i];
    }
  },
  dropout: ([x], out, { rate, seed, step }) => {
    const key = streamKey(seed, step);
    const threshold = dropoutThreshold(rate);
    const scale = 1 / (1 - rate);
    const a = x.data;
    const o = out.data;
    for (let i = 0; i < o.length; i++) o[i] = dropoutKeeps(key, i, threshold) ? a[i] * scale : 0;
  },
};
