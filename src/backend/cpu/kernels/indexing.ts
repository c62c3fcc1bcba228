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

/**
 * `outShape` as nested runs for operands of `shapes` broadcast into it, axes merged wherever every
 * operand allows it (size-1 axes dropped): `dims` outermost first, and per operand its stride
 * along each (0 where it is broadcast). A same-shape op is one run; [m, n] with [n] is m runs of
 * n. The innermost stride of each operand is 0 or 1. A scalar output has no dims.
 */
export interface RowPlan {
  readonly dims: readonly number[];
  readonly strides: readonly (readonly number[])[];
}

export function rowPlan(shapes: readonly Shape[], outShape: Shape): RowPlan {
  const all = shapes.map((s) => broadcastStrides(s, outShape));
  const dims: number[] = [];
  const strides: number[][] = shapes.map(() => []);
  for (let axis = 0; axis < outShape.length; axis++) {
    const d = outShape[axis];
    if (d === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && all.every((s, k) => strides[k][last] === s[axis] * d)) {
      dims[last] *= d;
      all.forEach((s, k) => {
        strides[k][last] = s[axis];
      });
    } else {
      dims.push(d);
      all.forEach((s, k) => {
        strides[k].push(s[axis]);
      });
    }
  }
  return { dims, strides };
}

/**
 * Walks `outShape` as rows for operands of `shapes` broadcast into it: `row(at, offsets, len, steps)`
 * for each run of `len` output elements from `at`, where operand k starts at `offsets[k]` and moves
 * by `steps[k]` per element (0 where it is broadcast). The runs are rowPlan's, so the kernels'
 * inner loops run without per-element index arithmetic or an index array.
 */
export function forEachRow(
  shapes: readonly Shape[],
  outShape: Shape,
  row: (at: number, offsets: Int32Array, len: number, steps: Int32Array) => void,
): void {
  const total = sizeOf(outShape);
  if (total === 0) return;
  const { dims, strides } = rowPlan(shapes, outShape);
  const inner = dims.length - 1;
  const len = inner < 0 ? 1 : dims[inner];
  const steps = Int32Array.from(strides, (s) => (inner < 0 ? 0 : s[inner]));
  const offsets = new Int32Array(shapes.length);
  const counter = new Array<number>(Math.max(inner, 0)).fill(0);
  for (let at = 0; at < total; at += len) {
    row(at, offsets, len, steps);
    for (let axis = inner - 1; axis >= 0; axis--) {
      for (let k = 0; k < offsets.length; k++) offsets[k] += strides[k][axis];
      if (++counter[axis] < dims[axis]) break;
      for (let k = 0; k < offsets.length; k++) offsets[k] -= strides[k][axis] * dims[axis];
      counter[axis] = 0;
    }
  }
}
