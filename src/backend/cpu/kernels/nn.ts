/** matmul, softmax and log-softmax. */
import type { CpuKernels, CpuTensor } from '../types';
import { splitAt } from './indexing';

/**
 * C[m,n] = op(A) op(B). Each layout gets the loop order whose innermost loop walks memory
 * contiguously (i-k-j for plain A B), and nothing is allocated.
 */
function matmul(a: CpuTensor, b: CpuTensor, out: CpuTensor, transposeA: boolean, transposeB: boolean): void {
  const A = a.data;
  const B = b.data;
  const C = out.data;
  const [m, n] = out.shape;
  const k = transposeA ? a.shape[0] : a.shape[1];
  if (!transposeA && !transposeB) {
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      for (let p = 0; p < k; p++) {
        const aip = A[i * k + p];
        const bp = p * n;
        for (let j = 0; j < n; j++) C[ci + j] += aip * B[bp + j];
      }
    }
  } else if (!transposeA) {
    // B stored [n,k]: each output is a dot product of two contiguous rows.
    for (let i = 0; i < m; i++) {
      const ai = i * k;
      for (let j = 0; j < n; j++) {
        const bj = j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += A[ai + p] * B[bj + p];
        C[i * n + j] = s;
      }
    }
  } else if (!transposeB) {
    // A stored [k,m]: accumulate outer products of row p of A and row p of B.
    for (let p = 0; p < k; p++) {
      const ap = p * m;
      const bp = p * n;
      for (let i = 0; i < m; i++) {
        const api = A[ap + i];
        const ci = i * n;
        for (let j = 0; j < n; j++) C[ci + j] += api * B[bp + j];
      }
    }
  } else {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += A[p * m + i] * B[j * k + p];
        C[i * n + j] = s;
      }
    }
  }
}

/** Runs `row` on every line along `axis`: (first element, stride between elements, length). */
function forEachLine(
  shape: readonly number[],
  axis: number,
  row: (start: number, stride: number, n: number) => void,
) {
  const [outer, n, inner] = splitAt(shape, axis);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) row(o * n * inner + i, inner, n);
  }
}

export const nnKernels: CpuKernels<'matmul' | 'softmax' | 'logSoftmax'> = {
  matmul: ([a, b], out, { transposeA, transposeB }) => matmul(a, b, out, transposeA, transposeB),
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
      let max = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < n; j++) max = Math.max(max, a[start + j * stride]);
      let total = 0;
      for (let j = 0; j < n; j++) total += Math.exp(a[start + j * stride] - max);
      const shift = max + Math.log(total);
      for (let j = 0; j < n; j++) o[start + j * stride] = a[start + j * stride] - shift;
    });
  },
};
