/** Layout kernels: every one is a strided copy, a row gather or a row scatter. */
import { fmtShape, InvalidArgumentError } from '../../../errors';
import { type Shape, sizeOf, stridesOf } from '../../../graph/shape';
import type { CpuKernels, FloatArray } from '../types';
import { broadcastIndices, stridedIndices } from './indexing';

function gatherFrom(src: FloatArray, indices: Int32Array, dst: FloatArray): void {
  for (let i = 0; i < indices.length; i++) dst[i] = src[indices[i]];
}

/** `target` is the shape the rows belong to, named in the message so the user sees which tensor. */
function checkRow(op: string, value: number, rows: number, position: number, target: Shape): number {
  if (!Number.isInteger(value) || value < 0 || value >= rows) {
    throw new InvalidArgumentError(
      `${op}: index ${value} at position ${position} is outside [0, ${rows}), the rows of ${fmtShape(target)}`,
    );
  }
  return value;
}

export const layoutKernels: CpuKernels<
  'reshape' | 'transpose' | 'broadcastTo' | 'slice' | 'pad' | 'concat' | 'gather' | 'scatterAdd' | 'oneHot'
> = {
  reshape: ([x], out) => out.data.set(x.data),
  transpose: ([x], out, { perm }) => {
    const strides = stridesOf(x.shape);
    gatherFrom(
      x.data,
      stridedIndices(
        0,
        perm.map((p) => strides[p]),
        out.shape,
      ),
      out.data,
    );
  },
  broadcastTo: ([x], out) => {
    const indices = broadcastIndices(x.shape, out.shape);
    if (indices) gatherFrom(x.data, indices, out.data);
    else out.data.set(x.data);
  },
  slice: ([x], out, { begin }) => {
    const strides = stridesOf(x.shape);
    const offset = begin.reduce((acc, b, i) => acc + b * strides[i], 0);
    gatherFrom(x.data, stridedIndices(offset, strides, out.shape), out.data);
  },
  pad: ([x], out, { paddings }) => {
    const strides = stridesOf(out.shape);
    const offset = paddings.reduce((acc, [before], i) => acc + before * strides[i], 0);
    const target = stridedIndices(offset, strides, x.shape);
    for (let i = 0; i < target.length; i++) out.data[target[i]] = x.data[i];
  },
  concat: (inputs, out, { axis }) => {
    const strides = stridesOf(out.shape);
    let offset = 0;
    for (const x of inputs) {
      const target = stridedIndices(offset * strides[axis], strides, x.shape);
      for (let i = 0; i < target.length; i++) out.data[target[i]] = x.data[i];
      offset += x.shape[axis];
    }
  },
  gather: ([x, indices], out) => {
    const rowSize = sizeOf(x.shape.slice(1));
    const rows = x.shape[0];
    for (let i = 0; i < indices.data.length; i++) {
      const r = checkRow('gather', indices.data[i], rows, i, x.shape);
      out.data.set(x.data.subarray(r * rowSize, (r + 1) * rowSize), i * rowSize);
    }
  },
  scatterAdd: ([src, indices], out, { rows }) => {
    const rowSize = sizeOf(src.shape.slice(1));
    for (let i = 0; i < indices.data.length; i++) {
      const r = checkRow('scatterAdd', indices.data[i], rows, i, out.shape);
      for (let j = 0; j < rowSize; j++) out.data[r * rowSize + j] += src.data[i * rowSize + j];
    }
  },
  oneHot: ([indices], out, { depth }) => {
    for (let i = 0; i < indices.data.length; i++) {
      const v = indices.data[i];
      if (Number.isInteger(v) && v >= 0 && v < depth) out.data[i * depth + v] = 1;
    }
  },
};
