/** Convolution and pooling on NHWC tensors with HWIO filters, as direct loops. */
import { windowGeometry } from '../../../graph/conv-geometry';
import type { Conv2dParams, Pool2dParams, WindowOp } from '../../../graph/op-params';
import type { Shape } from '../../../graph/shape';
import type { CpuKernels, CpuTensor } from '../types';
import { type ConvFace, conv2dFilterWasm, conv2dInputWasm, conv2dWasm } from './conv-simd';
import { type PoolKind, poolWasm } from './pool-simd';

/**
 * Visits every output position once: `visit(yOffset, xOffsets, wOffsets, count)` with, for the
 * `count` filter taps whose input position lies inside the image, the offsets of the first channel
 * of each (the arrays are reused between calls). One call per position rather than per tap keeps
 * the indirect call out of the kernels' inner loops.
 */
function forEachPosition(
  xShape: Shape,
  wShape: Shape,
  { strides, padding }: Conv2dParams,
  visit: (yOff: number, xOffs: Int32Array, wOffs: Int32Array, count: number) => void,
): void {
  const [batch, inH, inW, inC] = xShape;
  const [kH, kW, , outC] = wShape;
  const g = windowGeometry(inH, inW, kH, kW, strides, padding);
  const xOffs = new Int32Array(kH * kW);
  const wOffs = new Int32Array(kH * kW);
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < g.outH; oh++) {
      for (let ow = 0; ow < g.outW; ow++) {
        let count = 0;
        for (let kh = 0; kh < kH; kh++) {
          const ih = oh * strides[0] - g.padTop + kh;
          if (ih < 0 || ih >= inH) continue;
          for (let kw = 0; kw < kW; kw++) {
            const iw = ow * strides[1] - g.padLeft + kw;
            if (iw < 0 || iw >= inW) continue;
            xOffs[count] = ((b * inH + ih) * inW + iw) * inC;
            wOffs[count++] = (kh * kW + kw) * inC * outC;
          }
        }
        visit(((b * g.outH + oh) * g.outW + ow) * outC, xOffs, wOffs, count);
      }
    }
  }
}

/**
 * Visits every pooling window once: `visit(yBase, taps, count)` with the offsets of the first
 * channel of the `count` input positions inside the window (padding excluded; the array is reused
 * between calls). The kernels loop over channels themselves, channel c at offset + c.
 */
function forEachWindow(
  xShape: Shape,
  { poolSize, strides, padding }: Pool2dParams,
  visit: (yBase: number, taps: Int32Array, count: number) => void,
): void {
  const [batch, inH, inW, channels] = xShape;
  const g = windowGeometry(inH, inW, poolSize[0], poolSize[1], strides, padding);
  const taps = new Int32Array(poolSize[0] * poolSize[1]);
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < g.outH; oh++) {
      for (let ow = 0; ow < g.outW; ow++) {
        let count = 0;
        for (let kh = 0; kh < poolSize[0]; kh++) {
          const ih = oh * strides[0] - g.padTop + kh;
          if (ih < 0 || ih >= inH) continue;
          for (let kw = 0; kw < poolSize[1]; kw++) {
            const iw = ow * strides[1] - g.padLeft + kw;
            if (iw >= 0 && iw < inW) taps[count++] = ((b * inH + ih) * inW + iw) * channels;
          }
        }
        visit(((b * g.outH + oh) * g.outW + ow) * channels, taps, count);
      }
    }
  }
}

/**
 * Position of the first maximum of x over a window's taps, for channel c. A NaN wins (the first
 * one), as in the max reduction, so a diverged value shows up in the output wherever it sits.
 */
function argmax(x: ArrayLike<number>, taps: Int32Array, count: number, c: number): number {
  let best = -1;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < count; t++) {
    const v = x[taps[t] + c];
    if (Number.isNaN(bestValue)) break;
    if (best < 0 || v > bestValue || Number.isNaN(v)) {
      best = taps[t] + c;
      bestValue = v;
    }
  }
  return best;
}

/** Whether every operand is float32, the WebAssembly kernels' type (float64 stays in TypeScript). */
const float32 = (...ts: CpuTensor[]) => ts.every((t) => t.data instanceof Float32Array);

/** The pooling face `kind` through WebAssembly where every operand is float32 and it can run. */
function pooledWasm(
  kind: PoolKind,
  inputs: readonly CpuTensor[],
  out: CpuTensor,
  params: Pool2dParams,
  shape: Shape,
) {
  if (!float32(...inputs, out)) return false;
  return poolWasm(
    kind,
    shape,
    params,
    inputs.map((t) => t.data as Float32Array),
    out.data as Float32Array,
  );
}

/** A conv face through WebAssembly where every operand is float32 and it can run there. */
function convWasm(
  face: ConvFace,
  [a, b]: readonly CpuTensor[],
  out: CpuTensor,
  xShape: Shape,
  wShape: Shape,
  params: Conv2dParams,
): boolean {
  if (!float32(a, b, out)) return false;
  const [x, y, o] = [a.data, b.data, out.data] as Float32Array[];
  return face(x, y, o, xShape, wShape, params);
}

export const convKernels: CpuKernels<WindowOp> = {
  conv2d: ([x, w], out, params) => {
    if (convWasm(conv2dWasm, [x, w], out, x.shape, w.shape, params)) return;
    const [, , inC, outC] = w.shape;
    const X = x.data;
    const W = w.data;
    const Y = out.data;
    forEachPosition(x.shape, w.shape, params, (yOff, xOffs, wOffs, count) => {
      for (let t = 0; t < count; t++) {
        for (let c = 0, xOff = xOffs[t], wRow = wOffs[t]; c < inC; c++, wRow += outC) {
          const xv = X[xOff + c];
          for (let f = 0; f < outC; f++) Y[yOff + f] += xv * W[wRow + f];
        }
      }
    });
  },
  conv2dBackpropInput: ([dy, w], out, params) => {
    if (convWasm(conv2dInputWasm, [dy, w], out, params.inputShape, w.shape, params)) return;
    const [, , inC, outC] = w.shape;
    const DY = dy.data;
    const W = w.data;
    const DX = out.data;
    forEachPosition(params.inputShape, w.shape, params, (yOff, xOffs, wOffs, count) => {
      for (let t = 0; t < count; t++) {
        for (let c = 0, xOff = xOffs[t], wRow = wOffs[t]; c < inC; c++, wRow += outC) {
          let s = 0;
          for (let f = 0; f < outC; f++) s += DY[yOff + f] * W[wRow + f];
          DX[xOff + c] += s;
        }
      }
    });
  },
  conv2dBackpropFilter: ([x, dy], out, params) => {
    if (convWasm(conv2dFilterWasm, [x, dy], out, x.shape, params.filterShape, params)) return;
    const [, , inC, outC] = params.filterShape;
    const X = x.data;
    const DY = dy.data;
    const DW = out.data;
    forEachPosition(x.shape, params.filterShape, params, (yOff, xOffs, wOffs, count) => {
      for (let t = 0; t < count; t++) {
        for (let c = 0, xOff = xOffs[t], wRow = wOffs[t]; c < inC; c++, wRow += outC) {
          const xv = X[xOff + c];
          for (let f = 0; f < outC; f++) DW[wRow + f] += xv * DY[yOff + f];
        }
      }
    });
  },
  maxPool2d: ([x], out, params) => {
    if (pooledWasm('maxPool2d', [x], out, params, x.shape)) return;
    const channels = x.shape[3];
    forEachWindow(x.shape, params, (y, taps, count) => {
      for (let c = 0; c < channels; c++) {
        const a = argmax(x.data, taps, count, c);
        out.data[y + c] = a < 0 ? 0 : x.data[a];
      }
    });
  },
  maxPool2dGrad: ([x, dy], out, params) => {
    if (pooledWasm('maxPool2dGrad', [x, dy], out, params, x.shape)) return;
    const channels = x.shape[3];
    forEachWindow(x.shape, params, (y, taps, count) => {
      for (let c = 0; c < channels; c++) {
        const a = argmax(x.data, taps, count, c);
        if (a >= 0) out.data[a] += dy.data[y + c];
      }
    });
  },
  maxPool2dGather: ([x, g], out, params) => {
    if (pooledWasm('maxPool2dGather', [x, g], out, params, x.shape)) return;
    const channels = x.shape[3];
    forEachWindow(x.shape, params, (y, taps, count) => {
      for (let c = 0; c < channels; c++) {
        const a = argmax(x.data, taps, count, c);
        out.data[y + c] = a < 0 ? 0 : g.data[a];
      }
    });
  },
  avgPool2d: ([x], out, params) => {
    if (pooledWasm('avgPool2d', [x], out, params, x.shape)) return;
    const channels = x.shape[3];
    forEachWindow(x.shape, params, (y, taps, count) => {
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let t = 0; t < count; t++) s += x.data[taps[t] + c];
        out.data[y + c] = count > 0 ? s / count : 0;
      }
    });
  },
  avgPool2dGrad: ([dy], out, params) => {
    if (pooledWasm('avgPool2dGrad', [dy], out, params, params.inputShape)) return;
    const channels = params.inputShape[3];
    forEachWindow(params.inputShape, params, (y, taps, count) => {
      for (let c = 0; c < channels; c++) {
        const share = dy.data[y + c] / count;
        for (let t = 0; t < count; t++) out.data[taps[t] + c] += share;
      }
    });
  },
};
