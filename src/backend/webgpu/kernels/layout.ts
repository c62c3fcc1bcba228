/** Layout kernels: strided copies (reshape, transpose, broadcastTo, slice, pad, concat), row gathers. */
import { broadcastStrides, type Shape, sizeOf, stridesOf } from '../../../graph/shape';
import type { KernelDispatch, KernelEnv, WebGPUKernels } from '../kernel-types';
import { checkRank, ParamWords } from '../params';
import { SHADERS } from '../shaders';
import { perElement } from './elementwise';

const GATHER_COPY = 0;
const PAD = 1;
const SCATTER_COPY = 2;

/** y[i] = x[offset + sum c_d(i) strides_d] over the coordinates of i in `shape` (or the reverse). */
function stridedCopy(
  op: string,
  env: KernelEnv,
  x: GPUBuffer,
  mode: typeof GATHER_COPY | typeof SCATTER_COPY,
  shape: Shape,
  strides: readonly number[],
  offset: number,
): KernelDispatch[] {
  checkRank(op, shape);
  const params = new ParamWords().u(1, shape.length).list(2, shape).list(10, strides).u(18, offset);
  return perElement(env, sizeOf(shape), SHADERS.layout, [x], params, { MODE: mode });
}

export const layoutKernels: WebGPUKernels<
  'reshape' | 'transpose' | 'broadcastTo' | 'slice' | 'pad' | 'concat' | 'gather' | 'scatterAdd' | 'oneHot'
> = {
  reshape: ([x], outShape, _p, env) =>
    stridedCopy('reshape', env, x.buffer, GATHER_COPY, [sizeOf(outShape)], [1], 0),
  transpose: ([x], outShape, { perm }, env) => {
    const strides = stridesOf(x.shape);
    return stridedCopy(
      'transpose',
      env,
      x.buffer,
      GATHER_COPY,
      outShape,
      perm.map((p) => strides[p]),
      0,
    );
  },
  broadcastTo: ([x], outShape, _p, env) =>
    stridedCopy('broadcastTo', env, x.buffer, GATHER_COPY, outShape, broadcastStrides(x.shape, outShape), 0),
  slice: ([x], outShape, { begin }, env) => {
    const strides = stridesOf(x.shape);
    const offset = begin.reduce((acc, b, i) => acc + b * strides[i], 0);
    return stridedCopy('slice', env, x.buffer, GATHER_COPY, outShape, strides, offset);
  },
  pad: ([x], outShape, { paddings }, env) => {
    checkRank('pad', outShape);
    const params = new ParamWords()
      .u(1, outShape.length)
      .list(2, outShape)
      .list(10, stridesOf(x.shape))
      .list(
        18,
        paddings.map(([before]) => before),
      )
      .list(26, x.shape);
    return perElement(env, sizeOf(outShape), SHADERS.layout, [x.buffer], params, { MODE: PAD });
  },
  // One dispatch per input, each writing its own block of the output; together they cover it.
  concat: (inputs, outShape, { axis }, env) => {
    const strides = stridesOf(outShape);
    let offset = 0;
    return inputs.flatMap((x) => {
      const dispatches = stridedCopy(
        'concat',
        env,
        x.buffer,
        SCATTER_COPY,
        x.shape,
        strides,
        offset * strides[axis],
      );
      offset += x.shape[axis];
      return dispatches;
    });
  },
  gather: ([x, indices], outShape, _p, env) => {
    const params = new ParamWords().u(1, sizeOf(x.shape.slice(1))).u(2, x.shape[0]);
    return perElement(env, sizeOf(outShape), SHADERS.gather, [x.buffer, indices.buffer], params, { MODE: 0 });
  },
  scatterAdd: ([src, indices], outShape, _p, env) => {
    const params = new ParamWords().u(1, sizeOf(src.shape.slice(1))).u(2, indices.shape[0]);
    return perElement(env, sizeOf(outShape), SHADERS.gather, [src.buffer, indices.buffer], params, {
      MODE: 1,
    });
  },
  oneHot: ([indices], outShape, { depth }, env) =>
    perElement(env, sizeOf(outShape), SHADERS.onehot, [indices.buffer], new ParamWords().u(1, depth)),
};
