/** Layout kernels: strided copies (reshape, transpose, broadcastTo, slice, pad, concat), row gathers. */
import { broadcastStrides, type Shape, sizeOf, stridesOf } from '../../../graph/shape';
import type { KernelDispatch, KernelEnv, WebGPUKernels } from '../kernel-types';
import { checkRank } from '../params';
import { SHADERS } from '../shaders';
import { chunked, perElement } from './elementwise';

const GATHER_COPY = 0;
const PAD = 1;
const SCATTER_COPY = 2;
const PLAIN_COPY = 3;

/**
 * The same walk with fewer axes: size-1 axes dropped, and an axis merged into the one before it
 * when that one's stride steps exactly over it (fewer divisions per element in the shader).
 */
export function mergeAxes(shape: Shape, strides: readonly number[]): [number[], number[]] {
  const outShape: number[] = [];
  const outStrides: number[] = [];
  shape.forEach((size, d) => {
    if (size === 1) return;
    const last = outShape.length - 1;
    if (last >= 0 && outStrides[last] === strides[d] * size) {
      outShape[last] *= size;
      outStrides[last] = strides[d];
    } else {
      outShape.push(size);
      outStrides.push(strides[d]);
    }
  });
  return [outShape, outStrides];
}

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
  const n = sizeOf(shape);
  const [axes, steps] = mergeAxes(shape, strides);
  if (mode === GATHER_COPY && axes.length <= 1 && (steps[0] ?? 1) === 1) {
    return chunked(env, n, SHADERS.layout, [x], { offset }, { MODE: PLAIN_COPY });
  }
  const params = { rank: axes.length, shape: axes, strides: steps, offset };
  return chunked(env, n, SHADERS.layout, [x], params, { MODE: mode });
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
    const params = {
      rank: outShape.length,
      shape: outShape,
      strides: stridesOf(x.shape),
      before: paddings.map(([before]) => before),
      xShape: x.shape,
    };
    return chunked(env, sizeOf(outShape), SHADERS.layout, [x.buffer], params, { MODE: PAD });
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
    const params = { rowSize: sizeOf(x.shape.slice(1)), xRows: x.shape[0] };
    return chunked(env, sizeOf(outShape), SHADERS.gather, [x.buffer, indices.buffer], params, {
      MODE: 0,
    });
  },
  scatterAdd: ([src, indices], outShape, _p, env) => {
    const params = { rowSize: sizeOf(src.shape.slice(1)), indexCount: indices.shape[0] };
    return perElement(env, sizeOf(outShape), SHADERS.gather, [src.buffer, indices.buffer], params, {
      MODE: 1,
    });
  },
  oneHot: ([indices], outShape, { depth }, env) =>
    chunked(env, sizeOf(outShape), SHADERS.onehot, [indices.buffer], { depth }),
};
