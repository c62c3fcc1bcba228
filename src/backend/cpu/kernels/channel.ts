/**
 * Per-channel batch-norm parts (src/graph/ops/channel.ts for the math). x is viewed as
 * [outer, C, inner] around the channel axis; sums accumulate in float64, and the moments take two
 * passes (mean, then squared deviations from it), which stays accurate when |mean| >> std.
 */

import { splitAt } from '../../../graph/shape';
import type { CpuKernels, CpuTensor } from '../types';
import { roundingOf } from './rounding';

/** Calls `visit(i, c)` for every element index i of x with its channel c. */
function forEachElement(x: CpuTensor, axis: number, visit: (i: number, c: number) => void): void {
  const [outer, channels, inner] = splitAt(x.shape, axis);
  let i = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      for (let k = 0; k < inner; k++) visit(i++, c);
    }
  }
}

export const channelKernels: CpuKernels<'channelMoments' | 'channelAffine' | 'channelSums'> = {
  channelMoments: ([x], out, { axis }) => {
    const channels = x.shape[axis];
    const n = x.data.length / channels;
    const mean = new Float64Array(channels);
    const squares = new Float64Array(channels);
    forEachElement(x, axis, (i, c) => {
      mean[c] += x.data[i];
    });
    for (let c = 0; c < channels; c++) mean[c] /= n;
    forEachElement(x, axis, (i, c) => {
      const d = x.data[i] - mean[c];
      squares[c] += d * d;
    });
    for (let c = 0; c < channels; c++) {
      out.data[c] = mean[c];
      out.data[channels + c] = squares[c] / n;
    }
  },
  channelAffine: ([x, center, scale, shift], out, { axis }) => {
    const r = roundingOf(out.data);
    const o = out.data;
    forEachElement(x, axis, (i, c) => {
      o[i] = r(r(x.data[i] - center.data[c]) * scale.data[c]) + shift.data[c];
    });
  },
  channelSums: ([dy, x, center], out, { axis }) => {
    const r = roundingOf(out.data);
    const channels = x.shape[axis];
    const dot = new Float64Array(channels);
    const total = new Float64Array(channels);
    forEachElement(x, axis, (i, c) => {
      const g = dy.data[i];
      dot[c] += g * r(x.data[i] - center.data[c]);
      total[c] += g;
    });
    for (let c = 0; c < channels; c++) {
      out.data[c] = dot[c];
      out.data[channels + c] = total[c];
    }
  },
};
