/** matmul, softmax and log-softmax. */

import { splitAt } from '../../../graph/shape';
import type { CpuKernels, FloatArray } from '../types';
import { matmulInto } from './matmul';
import { matmulWasm } from './matmul-simd';

/**
 * Float32 products of at least this many multiply-adds take the WebAssembly SIMD kernel (its
 * packing and copy-out cost more than they save on the smallest); float64 stays in TypeScript.
 */
const WASM_MIN_MACS = 4096;

/** Runs `row` on every line along `axis`: (first element, stride between elements, length). */
export function forEachLine(
  shape: readonly number[],
  axis: number,
  row: (start: number, stride: number, n: number) => void,
) {
  const [outer, n, inner] = splitAt(shape, axis);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) row(o * n * inner + i, inner, n);
  }
}

/** max(z) + ln(sum exp(z - max)) over the line z[start + j stride], j < n. */
export function logSumExp(z: FloatArray, start: number, stride: number, n: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < n; j++) max = Math.max(max, z[start + j * stride]);
  let total = 0;
  for (let j = 0; j < n; j++) total += Math.exp(z[start + j * stride] - max);
  return max + Math.log(total);
}

export const nnKernels: CpuKernels<'matmul' | 'softmax' | 'logSoftmax'> = {
  matmul: ([a, b], out, { transposeA, transposeB }) => {
    const [m, n] = out.shape;
    const k = transposeA ? a.shape[0] : a.shape[1];
    const dims = { m, n, k, transposeA, transposeB };
    const [da, db, dc] = [a.data, b.data, out.data];
    const f32 = da instanceof Float32Array && db instanceof Float32Array && dc instanceof Float32Array;
    if (f32 && m * n * k >= WASM_MIN_MACS && matmulWasm(da, db, dc, dims)) return;
    matmulInto(da, db, dc, dims);
  },
  softmax: ([x], out, { axis }) => {
    const a = x.data;
    const o = out.data;
    forEachLine(x.shape, axis, (start, stride, n) => {
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < n; j++) max = Math.max(max, a[start + j * stride]);
      let total = 0;
      for (let j = 0; j < n; j++) {
        const e = Math.exp(a[start + j * stride] - max);
        o[start + j * stride] = e;
        total += e;
      }
      for (let j = 0; j < n; j++) o[start + j * stride] /= total;
    });
  },
  logSoftmax: ([x], out, { axis }) => {
    const a = x.data;
    const o = out.data;
    forEachLine(x.shape, axis, (start, stride, n) => {
      const shift = logSumExp(a, start, stride, n);
      for (let j = 0; j < n; j++) o[start + j * stride] = a[start + j * stride] - shift;
    });
  },
};
