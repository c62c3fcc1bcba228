/** Index arithmetic shared by the CPU kernels. */
import { broadcastStrides, type Shape, sizeOf } from '../../../graph/shape';

/**
 * For every element of a row-major `shape`, in order, the position `offset + sum(index * strides)`
 * in some source array. Transpose, slice, pad, concat and broadcasting are all this with different
 * strides and offsets.
 */
export function stridedIndices(offset: number, strides: readonly number[], shape: Shape): Int32Array {
  const n = sizeOf(shape);
  const out = new Int32Array(n);
  const rank = shape.length;
  if (n === 0) return out;
  if (rank === 0) {
    out[0] = offset;
    return out;
  }
  const last = rank - 1;
  const lastStride = strides[last];
  const lastSize = shape[last];
  const counter = new Array<number>(rank).fill(0);
  let base = offset;
  for (let o = 0; o < n; ) {
    for (let j = 0; j < lastSize; j++) out[o++] = base + j * lastStride;
    for (let axis = last - 1; axis >= 0; axis--) {
      base += strides[axis];
      if (++counter[axis] < shape[axis]) break;
      base -= strides[axis] * shape[axis];
      counter[axis] = 0;
    }
  }
  return out;
}

/** Where each element of `outShape` reads from an input of `inShape` broadcast into it; null if no broadcast. */
export function broadcastIndices(inShape: Shape, outShape: Shape): Int32Array | null {
  if (sizeOf(inShape) === sizeOf(outShape)) return null;
  return stridedIndices(0, broadcastStrides(inShape, outShape), outShape);
}

/** Splits a shape around `axis`: [product before, size, product after]. */
export function splitAt(shape: Shape, axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}
