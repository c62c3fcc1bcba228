/**
 * Per-channel batch-norm parts (src/graph/ops/channel.ts for the math). x is viewed as
 * [outer, C, inner] around the channel axis; sums accumulate in float64, and the moments take two
 * passes (mean, then squared deviations from it), which stays accurate when |mean| >> std.
 */

import { splitAt } from '../../../graph/shape';
import type { CpuKernels } from '../types';

/**
 * The loops are written out per kernel, with the float32 rounding (Math.fround) inline in its own
 * branch: a visitor called per element, or a rounding function passed in, is a call V8 does not
 * inline, which made these kernels most of a small CNN's CPU epoch (profiled: 1.06 of 1.67 s on W4).
 * The arithmetic and its order are as before, so the results are the same bits.
 */
export const channelKernels: CpuKernels<'channelMoments' | 'channelAffine' | 'channelSums'> = {
  channelMoments: ([x], out, { axis }) => {
    const [outer, channels, inner] = splitAt(x.shape, axis);
    const X = x.data;
    const n = X.length / channels;
    const mean = new Float64Array(channels);
    const squares = new Float64Array(channels);
    for (let q = 0, i = 0; q < outer; q++)
      for (let c = 0; c < channels; c++) {
        let s = mean[c];
        for (let k = 0; k < inner; k++) s += X[i++];
        mean[c] = s;
      }
    for (let c = 0; c < channels; c++) mean[c] /= n;
    for (let q = 0, i = 0; q < outer; q++)
      for (let c = 0; c < channels; c++) {
        const m = mean[c];
        let s = squares[c];
        for (let k = 0; k < inner; k++) {
          const d = X[i++] - m;
          s += d * d;
        }
        squares[c] = s;
      }
    for (let c = 0; c < channels; c++) {
      out.data[c] = mean[c];
      out.data[channels + c] = squares[c] / n;
    }
  },
  channelAffine: ([x, center, scale, shift], out, { axis }) => {
    const [outer, channels, inner] = splitAt(x.shape, axis);
    const [X, o] = [x.data, out.data];
    const f32 = o instanceof Float32Array;
    for (let q = 0, i = 0; q < outer; q++)
      for (let c = 0; c < channels; c++) {
        const m = center.data[c];
        const s = scale.data[c];
        const b = shift.data[c];
        if (f32) for (let k = 0; k < inner; k++, i++) o[i] = Math.fround(Math.fround(X[i] - m) * s) + b;
        else for (let k = 0; k < inner; k++, i++) o[i] = (X[i] - m) * s + b;
      }
  },
  channelSums: ([dy, x, center], out, { axis }) => {
    const [outer, channels, inner] = splitAt(x.shape, axis);
    const [G, X] = [dy.data, x.data];
    const f32 = out.data instanceof Float32Array;
    const dot = new Float64Array(channels);
    const total = new Float64Array(channels);
    for (let q = 0, i = 0; q < outer; q++)
      for (let c = 0; c < channels; c++) {
        const m = center.data[c];
        let d = dot[c];
        let t = total[c];
        for (let k = 0; k < inner; k++, i++) {
          const g = G[i];
          d += g * (f32 ? Math.fround(X[i] - m) : X[i] - m);
          t += g;
        }
        dot[c] = d;
        total[c] = t;
      }
    for (let c = 0; c < channels; c++) {
      out.data[c] = dot[c];
      out.data[channels + c] = total[c];
    }
  },
};
