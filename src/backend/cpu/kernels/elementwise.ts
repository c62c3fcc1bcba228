/**
 * Elementwise kernels: unary, broadcasting binary, comparisons, where, dropout.
 *
 * Every op writes out its own loop, with the arithmetic inline. One shared loop calling `f(x)` per
 * element is several times slower in V8: closures made from one function literal share type
 * feedback, so `f` becomes a megamorphic call that is never inlined. Binary ops take rows from
 * forEachRow (one row for same-shape operands, one per broadcast row otherwise), so the per-row
 * call is the only indirect one.
 */
import type { BinaryOp } from '../../../graph/op-params';
import { dropoutKeeps, dropoutThreshold, streamKey } from '../../../graph/random';
import type { CpuKernels, CpuTensor, FloatArray } from '../types';
import { forEachRow } from './indexing';

/** A kernel that takes no parameters: assignable to any op's kernel type. */
type ParamFree = (inputs: readonly CpuTensor[], out: CpuTensor) => void;

/** o[at + j] = a[ia + j sa] (op) b[ib + j sb] for j < n. */
type BinaryRow = (
  o: FloatArray,
  at: number,
  a: FloatArray,
  ia: number,
  sa: number,
  b: FloatArray,
  ib: number,
  sb: number,
  n: number,
) => void;

function binary(row: BinaryRow): ParamFree {
  return ([a, b], out) => {
    forEachRow([a.shape, b.shape], out.shape, (at, offsets, n, steps) =>
      row(out.data, at, a.data, offsets[0], steps[0], b.data, offsets[1], steps[1], n),
    );
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
  | BinaryOp
  | 'where'
  | 'dropout'
> = {
  neg: ([{ data: a }], { data: o }) => {
    for (let i = 0; i < o.length; i++) o[i] = -a[i];
  },
  exp: ([{ data: a }], { data: o }) => {
    for (let i = 0; i < o.length; i++) o[i] = Math.exp(a[i]);
  },
  log: ([{ data: a }], { data: o }) => {
    for (let i = 0; i < o.length; i++) o[i] = Math.log(a[i]);
  },
  sqrt: ([{ data: a }], { data: o }) => {
    for (let i = 0; i < o.length; i++) o[i] = Math.sqrt(a[i]);
  },
  abs: ([{ data: a }], { data: o }) => {
    for (let i = 0; i < o.length; i++) o[i] = Math.abs(a[i]);
  },
  sign: ([{ data: a }], { data: o }) => {
    for (let i = 0; i < o.length; i++) o[i] = a[i] > 0 ? 1 : a[i] < 0 ? -1 : 0;
  },
  // Math.max keeps NaN (a diverged value stays visible) and maps -0 to 0.
  relu: ([{ data: a }], { data: o }) => {
    for (let i = 0; i < o.length; i++) o[i] = Math.max(a[i], 0);
  },
  sigmoid: ([{ data: a }], { data: o }) => {
    for (let i = 0; i < o.length; i++) o[i] = sigmoid(a[i]);
  },
  tanh: ([{ data: a }], { data: o }) => {
    for (let i = 0; i < o.length; i++) o[i] = Math.tanh(a[i]);
  },
  leakyRelu: ([{ data: a }], { data: o }, { alpha }) => {
    for (let i = 0; i < o.length; i++) o[i] = a[i] > 0 ? a[i] : alpha * a[i];
  },
  elu: ([{ data: a }], { data: o }, { alpha }) => {
    for (let i = 0; i < o.length; i++) o[i] = a[i] > 0 ? a[i] : alpha * Math.expm1(a[i]);
  },
  clip: ([{ data: a }], { data: o }, { min, max }) => {
    for (let i = 0; i < o.length; i++) o[i] = Math.min(Math.max(a[i], min), max);
  },
  add: binary((o, at, a, ia, sa, b, ib, sb, n) => {
    for (let j = 0; j < n; j++) o[at + j] = a[ia + j * sa] + b[ib + j * sb];
  }),
  sub: binary((o, at, a, ia, sa, b, ib, sb, n) => {
    for (let j = 0; j < n; j++) o[at + j] = a[ia + j * sa] - b[ib + j * sb];
  }),
  mul: binary((o, at, a, ia, sa, b, ib, sb, n) => {
    for (let j = 0; j < n; j++) o[at + j] = a[ia + j * sa] * b[ib + j * sb];
  }),
  div: binary((o, at, a, ia, sa, b, ib, sb, n) => {
    for (let j = 0; j < n; j++) o[at + j] = a[ia + j * sa] / b[ib + j * sb];
  }),
  pow: binary((o, at, a, ia, sa, b, ib, sb, n) => {
    for (let j = 0; j < n; j++) o[at + j] = a[ia + j * sa] ** b[ib + j * sb];
  }),
  equal: binary((o, at, a, ia, sa, b, ib, sb, n) => {
    for (let j = 0; j < n; j++) o[at + j] = a[ia + j * sa] === b[ib + j * sb] ? 1 : 0;
  }),
  notEqual: binary((o, at, a, ia, sa, b, ib, sb, n) => {
    for (let j = 0; j < n; j++) o[at + j] = a[ia + j * sa] !== b[ib + j * sb] ? 1 : 0;
  }),
  greater: binary((o, at, a, ia, sa, b, ib, sb, n) => {
    for (let j = 0; j < n; j++) o[at + j] = a[ia + j * sa] > b[ib + j * sb] ? 1 : 0;
  }),
  greaterEqual: binary((o, at, a, ia, sa, b, ib, sb, n) => {
    for (let j = 0; j < n; j++) o[at + j] = a[ia + j * sa] >= b[ib + j * sb] ? 1 : 0;
  }),
  less: binary((o, at, a, ia, sa, b, ib, sb, n) => {
    for (let j = 0; j < n; j++) o[at + j] = a[ia + j * sa] < b[ib + j * sb] ? 1 : 0;
  }),
  lessEqual: binary((o, at, a, ia, sa, b, ib, sb, n) => {
    for (let j = 0; j < n; j++) o[at + j] = a[ia + j * sa] <= b[ib + j * sb] ? 1 : 0;
  }),
  where: ([cond, a, b], out) => {
    const [c, x, y, o] = [cond.data, a.data, b.data, out.data];
    forEachRow([cond.shape, a.shape, b.shape], out.shape, (at, offsets, n, steps) => {
      const [ic, ia, ib] = [offsets[0], offsets[1], offsets[2]];
      const [sc, sa, sb] = [steps[0], steps[1], steps[2]];
      for (let j = 0; j < n; j++) o[at + j] = c[ic + j * sc] !== 0 ? x[ia + j * sa] : y[ib + j * sb];
    });
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
