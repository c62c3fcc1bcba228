/**
 * Convolution and pooling kernels on NHWC tensors (HWIO filters). The convolutions' override
 * values (threads, items per thread, filters per item) are chosen in conv-candidates.ts.
 */
import { windowGeometry } from '../../../graph/conv-geometry';
import type { Conv2dParams, Pool2dParams, WindowOp } from '../../../graph/op-params';
import { type Shape, sizeOf } from '../../../graph/shape';
import type { GpuInput, KernelDispatch, KernelEnv, WebGPUKernels } from '../kernel-types';
import { SHADERS } from '../shaders';
import { type ConvCallParams, chooseConv, convDispatches, convShapeOf } from './conv-candidates';
import { chunked } from './elementwise';

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
 * y = act(conv2d(x, w) + bias): the plain conv2d (no bias, act 0) and fusedConv2d's epilogue, by
 * the tuned (or the rule's) override values (conv-candidates.ts).
 */
export function conv2d(
  x: GpuInput,
  w: GpuInput,
  bias: GpuInput | null,
  _outShape: Shape,
  params: Conv2dParams,
  act: number,
  env: KernelEnv,
): KernelDispatch[] {
  const shape = convShapeOf('conv2d', [x, w], params);
  return convDispatches(chooseConv(env, shape), shape, [x.buffer, w.buffer], bias?.buffer ?? null, act);
}

/** A conv adjoint (backpropInput, backpropFilter) of its two inputs, as tuned or by the rule. */
function convAdjoint(
  op: 'conv2dBackpropInput' | 'conv2dBackpropFilter',
  inputs: readonly GpuInput[],
  params: ConvCallParams,
  env: KernelEnv,
): KernelDispatch[] {
  const shape = convShapeOf(op, inputs, params);
  return convDispatches(chooseConv(env, shape), shape, [inputs[0].buffer, inputs[1].buffer], null, 0);
}

export const convKernels: WebGPUKernels<WindowOp> = {
  conv2d: ([x, w], outShape, params, env) => conv2d(x, w, null, outShape, params, 0, env),
  conv2dBackpropInput: (inputs, _outShape, params, env) =>
    convAdjoint('conv2dBackpropInput', inputs, params, env),
  conv2dBackpropFilter: (inputs, _outShape, params, env) =>
    convAdjoint('conv2dBackpropFilter', inputs, params, env),
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
