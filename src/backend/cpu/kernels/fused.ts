/**
 * The fused ops (src/graph/ops/fused.ts for the math). The matmul and conv epilogues and the
 * activation gradient round each intermediate to the output's precision, as the unfused ops store
 * theirs, so on the float32 backend fused and unfused layers give the same bits. The cross-entropy rows
 * accumulate in float64.
 */
import type { FusedActivation } from '../../../graph/op-params';
import type { CpuKernels, CpuTensor } from '../types';
import { convKernels } from './conv';
import { elementwiseKernels } from './elementwise';
import { forEachLine, logSumExp, nnKernels } from './nn';
import { roundingOf } from './rounding';

/** out = act(out + bias) in place, bias along the last axis, rounded as the unfused add stores. */
function epilogue(out: CpuTensor, bias: CpuTensor, activation: FusedActivation): void {
  const r = roundingOf(out.data);
  const o = out.data;
  const n = out.shape[out.shape.length - 1];
  const beta = bias.data;
  for (let i = 0; i < o.length; i += n) {
    for (let j = 0; j < n; j++) o[i + j] = r(o[i + j] + beta[j]);
  }
  // In place: each element is read before it is written.
  if (activation !== 'linear') elementwiseKernels[activation]([out], out, {});
}

export const fusedKernels: CpuKernels<
  'fusedMatmul' | 'fusedConv2d' | 'activationGrad' | 'softmaxCrossEntropy' | 'softmaxCrossEntropyGrad'
> = {
  fusedMatmul: ([a, b, bias], out, params) => {
    nnKernels.matmul([a, b], out, params);
    epilogue(out, bias, params.activation);
  },
  fusedConv2d: ([x, w, bias], out, params) => {
    convKernels.conv2d([x, w], out, params);
    epilogue(out, bias, params.activation);
  },
  activationGrad: ([dy, y], out, { activation }) => {
    const r = roundingOf(out.data);
    const o = out.data;
    const g = dy.data;
    const v = y.data;
    if (activation === 'relu') {
      for (let i = 0; i < o.length; i++) o[i] = v[i] > 0 ? g[i] : 0;
    } else if (activation === 'sigmoid') {
      for (let i = 0; i < o.length; i++) o[i] = g[i] * r(v[i] * r(1 - v[i]));
    } else {
      for (let i = 0; i < o.length; i++) o[i] = g[i] * r(1 - r(v[i] * v[i]));
    }
  },
  softmaxCrossEntropy: ([z, t], out) => {
    const n = z.shape[z.shape.length - 1];
    const o = out.data;
    forEachLine(z.shape, z.shape.length - 1, (start) => {
      const lse = logSumExp(z.data, start, 1, n);
      let loss = 0;
      for (let j = 0; j < n; j++) loss += t.data[start + j] * (lse - z.data[start + j]);
      o[start / n] = loss;
    });
  },
  softmaxCrossEntropyGrad: ([dy, z, t], out) => {
    const n = z.shape[z.shape.length - 1];
    const o = out.data;
    forEachLine(z.shape, z.shape.length - 1, (start) => {
      const lse = logSumExp(z.data, start, 1, n);
      let s = 0;
      for (let j = 0; j < n; j++) s += t.data[start + j];
      const d = dy.data[start / n];
      for (let j = 0; j < n; j++) {
        o[start + j] = d * (Math.exp(z.data[start + j] - lse) * s - t.data[start + j]);
      }
    });
  },
};
