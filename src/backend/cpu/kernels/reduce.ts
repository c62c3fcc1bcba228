/** Reductions over any set of axes: each input element adds into (or maxes into) its output slot. */
import { type Shape, stridesOf } from '../../../graph/shape';
import type { CpuKernels } from '../types';
import { stridedIndices } from './indexing';

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

export const reduceKernels: CpuKernels<'sum' | 'max'> = {
  sum: ([x], out, { axes }) => {
    const target = reductionTargets(x.shape, axes);
    const a = x.data;
    // Accumulating in float64: a float32 running sum over a million elements drifts by ~1e-4
    // relative (measured), too much for the reference that GPU reductions are tested against.
    const acc = new Float64Array(out.data.length);
    for (let i = 0; i < a.length; i++) acc[target[i]] += a[i];
    out.data.set(acc);
  },
  max: ([x], out, { axes }) => {
    const target = reductionTargets(x.shape, axes);
    const a = x.data;
    const o = out.data;
    o.fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      const j = target[i];
      // NaN wins and stays, like Math.max.
      if (v > o[j] || Number.isNaN(v)) o[j] = v;
    }
  },
};
