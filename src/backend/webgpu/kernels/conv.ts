/** Convolution and pooling kernels on NHWC tensors (HWIO filters), one output element per thread. */
import { windowGeometry } from '../../../graph/conv-geometry';
import type { Conv2dParams, Pool2dParams, WindowOp } from '../../../graph/op-params';
import { type Shape, sizeOf } from '../../../graph/shape';
import type { GpuInput, KernelDispatch, KernelEnv, WebGPUKernels } from '../kernel-types';
import { ParamWords } from '../params';
import { SHADERS } from '../shaders';
import { legacyChunked, legacyPerElement } from './elementwise';

/** Words 1..13 of shaders/conv.wgsl from the input shape, the filter shape and the params. */
function convWords(
  xShape: Shape,
  wShape: Shape,
  strides: readonly [number, number],
  padding: 'same' | 'valid',
): ParamWords {
  const [batch, inH, inW, inC] = xShape;
  const [kH, kW, , outC] = wShape;
  const g = windowGeometry(inH, inW, kH, kW, strides, padding);
  return new ParamWords()
    .list(1, [batch, inH, inW, inC, g.outH, g.outW, outC, kH, kW, strides[0], strides[1]])
    .i(12, g.padTop)
    .i(13, g.padLeft);
}

/** Words 1..12 of shaders/pool-*.wgsl from the input shape and the pooling params. */
function poolWords(xShape: Shape, { poolSize, strides, padding }: Pool2dParams): ParamWords {
  const [batch, inH, inW, channels] = xShape;
  const g = windowGeometry(inH, inW, poolSize[0], poolSize[1], strides, padding);
  return new ParamWords()
    .list(1, [batch, inH, inW, channels, g.outH, g.outW, poolSize[0], poolSize[1], strides[0], strides[1]])
    .i(11, g.padTop)
    .i(12, g.padLeft);
}

function maxPool(
  mode: number,
  first: GPUBuffer,
  second: GPUBuffer,
  xShape: Shape,
  outShape: Shape,
  params: Pool2dParams,
  env: KernelEnv,
) {
  // One work item per position and block of 4 channels (shaders/pool-max.wgsl).
  const channels = outShape[3];
  const items = (sizeOf(outShape) / Math.max(channels, 1)) * Math.ceil(channels / 4);
  return legacyChunked(env, items, SHADERS.poolMax, [first, second], poolWords(xShape, params), {
    MODE: mode,
  });
}

/**
 * y = act(conv2d(x, w) + bias): the plain conv2d (no bias, act 0) and fusedConv2d's epilogue. A
 * missing bias binds w again, unread.
 */
export function conv2d(
  x: GpuInput,
  w: GpuInput,
  bias: GpuInput | null,
  outShape: Shape,
  { strides, padding }: Conv2dParams,
  act: number,
  env: KernelEnv,
): KernelDispatch[] {
  // One work item per output position and block of 8 filters (shaders/conv.wgsl MODE 0).
  const [batch, outH, outW, outC] = outShape;
  return legacyChunked(
    env,
    batch * outH * outW * Math.ceil(outC / 8),
    SHADERS.conv,
    [x.buffer, w.buffer, (bias ?? w).buffer],
    convWords(x.shape, w.shape, strides, padding),
    { MODE: 0, BIAS: bias ? 1 : 0, ACT: act },
  );
}

export const convKernels: WebGPUKernels<WindowOp> = {
  conv2d: ([x, w], outShape, params, env) => conv2d(x, w, null, outShape, params, 0, env),
  conv2dBackpropInput: ([dy, w], outShape, { strides, padding, inputShape }, env) =>
    legacyChunked(
      env,
      sizeOf(outShape),
      SHADERS.conv,
      [dy.buffer, w.buffer, w.buffer],
      convWords(inputShape, w.shape, strides, padding),
      {
        MODE: 1,
      },
    ),
  // Each filter gradient sums over every output position: few long outputs, one per thread.
  conv2dBackpropFilter: ([x, dy], outShape, { strides, padding, filterShape }, env) =>
    legacyPerElement(
      env,
      sizeOf(outShape),
      SHADERS.conv,
      [x.buffer, dy.buffer, dy.buffer],
      convWords(x.shape, filterShape, strides, padding),
      {
        MODE: 2,
      },
    ),
  maxPool2d: ([x], outShape, params, env) => maxPool(0, x.buffer, x.buffer, x.shape, outShape, params, env),
  maxPool2dGrad: ([x, dy], outShape, params, env) =>
    maxPool(1, x.buffer, dy.buffer, x.shape, outShape, params, env),
  maxPool2dGather: ([x, g], outShape, params, env) =>
    maxPool(2, x.buffer, g.buffer, x.shape, outShape, params, env),
  avgPool2d: ([x], outShape, params, env) =>
    legacyChunked(env, sizeOf(outShape), SHADERS.poolAvg, [x.buffer], poolWords(x.shape, params), {
      MODE: 0,
    }),
  avgPool2dGrad: ([dy], outShape, params, env) =>
    legacyChunked(env, sizeOf(outShape), SHADERS.poolAvg, [dy.buffer], poolWords(params.inputShape, params), {
      MODE: 1,
    }),
};
