/**
 * Reductions over any set of axes. When the reduced axes are adjacent (ignoring axes of size 1),
 * which covers a bias gradient (axis 0), a row sum (last axis), per-channel NHWC statistics and a
 * full reduction, the input is read as [outer, reduced, inner] with plain loops; other axis sets
 * map each input element to its output slot through an index array.
 */
import { type Shape, stridesOf } from '../../../graph/shape';
import type { CpuKernels, FloatArray } from '../types';
import { stridedIndices } from './indexing';

/** [outer, reduced, inner] sizes when the reduced axes (of size > 1) are adjacent; null otherwise. */
export function reductionSplit(shape: Shape, axes: readonly number[]): [number, number, number] | null {
  let [outer, reduced, inner] = [1, 1, 1];
  let seenReduced = false;
  for (let axis = 0; axis < shape.length; axis++) {
    const d = shape[axis];
    if (d === 1) continue;
    if (axes.includes(axis)) {
      if (seenReduced && inner > 1) return null;
      seenReduced = true;
      reduced *= d;
    } else if (seenReduced) inner *= d;
    else outer *= d;
  }
  return [outer, reduced, inner];
}

/** For each input element, the index of the output element it reduces into. */
function reductionTargets(shape: Shape, axes: readonly number[]): Int32Array {
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const keptStrides = stridesOf(kept);
  return stridedIndices(
    0,
    shape.map((_, i) => (axes.includes(i) ? 0 : keptStrides[i])),
    shape,
  );
}

// Accumulating in float64: a float32 running sum over a million elements drifts by ~1e-4
// relative (measured), too much for the reference that GPU reductions are tested against.
function sumSplit(a: FloatArray, o: FloatArray, [outer, reduced, inner]: [number, number, number]): void {
  if (inner === 1) {
    for (let i = 0; i < outer; i++) {
      let s = 0;
      for (let r = 0, from = i * reduced; r < reduced; r++) s += a[from + r];
      o[i] = s;
    }
    return;
  }
  const acc = new Float64Array(inner);
  for (let i = 0; i < outer; i++) {
    acc.fill(0);
    for (let r = 0, from = i * reduced * inner; r < reduced; r++, from += inner) {
      for (let j = 0; j < inner; j++) acc[j] += a[from + j];
    }
    o.set(acc, i * inner);
  }
}

/** NaN wins and stays, like Math.max, so a diverged value shows up in the output. */
function maxSplit(a: FloatArray, o: FloatArray, [outer, reduced, inner]: [number, number, number]): void {
  o.fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < outer; i++) {
    for (let r = 0, from = i * reduced * inner; r < reduced; r++, from += inner) {
      for (let j = 0, to = i * inner; j < inner; j++, to++) {
        const v = a[from + j];
        if (v > o[to] || Number.isNaN(v)) o[to] = v;
      }
    }
  }
}

export const reduceKernels: CpuKernels<'sum' | 'max'> = {
  sum: ([x], out, { axes }) => {
    const split = reductionSplit(x.shape, axes);
    if (split) return sumSplit(x.data, out.data, split);
    const target = reductionTargets(x.shape, axes);
    const a = x.data;
    const acc = new Float64Array(out.data.length);
    for (let i = 0; i < a.length; i++) acc[target[i]] += a[i];
    out.data.set(acc);
  },
  max: ([x], out, { axes }) => {
    const split = reductionSplit(x.shape, axes);
    if (split) return maxSplit(x.data, out.data, split);
    const target = reductionTargets(x.shape, axes);
    const a = x.data;
    const o = out.data;
    o.fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      const j = target[i];
      if (v > o[j] || Number.isNaN(v)) o[j] = v;
    }
  },
};
