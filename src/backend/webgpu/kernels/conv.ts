/** Convolution and pooling kernels on NHWC tensors (HWIO filters), one output element per thread. */
import { windowGeometry } from '../../../graph/conv-geometry';
import type { Conv2dParams, Pool2dParams, WindowOp } from '../../../graph/op-params';
import { type Shape, sizeOf } from '../../../graph/shape';
import type { ParamsOf } from '../declare-kernel';
import type { GpuInput, KernelDispatch, KernelEnv, WebGPUKernels } from '../kernel-types';
import { SHADERS } from '../shaders';
import { chunked, perElement } from './elementwise';

/** shaders/conv.wgsl's geometry from the input shape, the filter shape and the params. */
function convParams(
  xShape: Shape,
  wShape: Shape,
  [sH, sW]: readonly [number, number],
  padding: 'same' | 'valid',
): Omit<ParamsOf<typeof SHADERS.conv>, 'n'> {
  const [batch, inH, inW, inC] = xShape;
  const [kH, kW, , outC] = wShape;
  const { outH, outW, padTop, padLeft } = windowGeometry(inH, inW, kH, kW, [sH, sW], padding);
  return { batch, inH, inW, inC, outH, outW, outC, kH, kW, sH, sW, padTop, padLeft };
}

/** shaders/pool-*.wgsl's window geometry from the input shape and the pooling params. */
function poolParams(xShape: Shape, { poolSize, strides, padding }: Pool2dParams) {
  const [, inH, inW, ch] = xShape;
  const [pH, pW] = poolSize;
  const [sH, sW] = strides;
  const { outH, outW, padTop, padLeft } = windowGeometry(inH, inW, pH, pW, strides, padding);
  return { inH, inW, ch, outH, outW, pH, pW, sH, sW, padTop, padLeft };
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
  return chunked(env, items, SHADERS.poolMax, [first, second], poolParams(xShape, params), {
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
  return chunked(
    env,
    batch * outH * outW * Math.ceil(outC / 8),
    SHADERS.conv,
    [x.buffer, w.buffer, (bias ?? w).buffer],
    convParams(x.shape, w.shape, strides, padding),
    { MODE: 0, BIAS: bias !== null, ACT: act },
  );
}

export const convKernels: WebGPUKernels<WindowOp> = {
  conv2d: ([x, w], outShape, params, env) => conv2d(x, w, null, outShape, params, 0, env),
  conv2dBackpropInput: ([dy, w], outShape, { strides, padding, inputShape }, env) =>
    chunked(
      env,
      sizeOf(outShape),
      SHADERS.conv,
      [dy.buffer, w.buffer, w.buffer],
      convParams(inputShape, w.shape, strides, padding),
      {
        MODE: 1,
      },
    ),
  // Each filter gradient sums over every output position: few long outputs, one per thread.
  conv2dBackpropFilter: ([x, dy], outShape, { strides, padding, filterShape }, env) =>
    perElement(
      env,
      sizeOf(outShape),
      SHADERS.conv,
      [x.buffer, dy.buffer, dy.buffer],
      convParams(x.shape, filterShape, strides, padding),
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
    chunked(env, sizeOf(outShape), SHADERS.poolAvg, [x.buffer], poolParams(x.shape, params), {
      MODE: 0,
    }),
  avgPool2dGrad: ([dy], outShape, params, env) =>
    chunked(env, sizeOf(outShape), SHADERS.poolAvg, [dy.buffer], poolParams(params.inputShape, params), {
      MODE: 1,
    }),
};
