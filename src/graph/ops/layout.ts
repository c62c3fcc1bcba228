/**
 * Ops that move values without arithmetic: reshape, transpose, broadcast, slice, pad, concat, gather.
 * Their shapes and backwards are in defs/layout.ts.
 */
import { fmtShape, InvalidArgumentError, ShapeError } from '../../errors';
import { runOp } from '../engine';
import { assertValidShape, normalizeAxis, type Shape, shapesEqual, sizeOf } from '../shape';
import type { Tensor } from '../tensor';

/** Same values, new shape; one entry may be -1 and is inferred. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1)
    throw new InvalidArgumentError(`reshape: only one axis may be -1, received ${fmtShape(shape)}`);
  let resolved = [...shape];
  if (unknown === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
    }
    resolved = shape.map((d) => (d === -1 ? x.size / known : d));
  }
  assertValidShape('reshape', resolved);
  if (shapesEqual(resolved, x.shape)) return x;
  return runOp('reshape', [x], { shape: resolved });
}

/** Permutes axes; the default reverses them (a matrix transpose for rank 2). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
  return runOp('transpose', [x], { perm: p.map((a) => normalizeAxis('transpose', a, x.rank)) });
}

export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  assertValidShape('broadcastTo', shape);
  if (shapesEqual(x.shape, shape)) return x;
  return runOp('broadcastTo', [x], { shape: [...shape] });
}

/** The block starting at `begin` of extent `size` (-1: to the end of that axis). */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  if (size !== undefined && size.length !== x.rank) {
    throw new ShapeError(
      `slice: size [${size}] must have ${x.rank} entries, one per axis of ${fmtShape(x.shape)}`,
    );
  }
  const sz = x.shape.map((d, i) => (size === undefined || size[i] === -1 ? d - (begin[i] ?? 0) : size[i]));
  return runOp('slice', [x], { begin: [...begin], size: sz });
}

/** Pads with zeros: `paddings[i] = [before, after]` for axis i. */
export function pad(x: Tensor, paddings: readonly (readonly [number, number])[]): Tensor {
  return runOp('pad', [x], { paddings: paddings.map(([a, b]) => [a, b] as const) });
}

export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError('concat: needs at least one tensor');
  return runOp('concat', tensors, { axis: normalizeAxis('concat', axis, tensors[0].rank) });
}

/**
 * Rows of `x` picked by `indices` (a 1-D tensor of integers): the mini-batch selection op.
 * An index outside [0, rows) is an error on the CPU backend.
 */
export function gather(x: Tensor, indices: Tensor): Tensor {
  return runOp('gather', [x, indices], {});
}

/** Adds row i of `src` into row `indices[i]` of a zero tensor with `rows` rows. */
export function scatterAdd(src: Tensor, indices: Tensor, rows: number): Tensor {
  if (!Number.isInteger(rows) || rows < 0) {
    throw new InvalidArgumentError(`scatterAdd: rows must be a non-negative integer, received ${rows}`);
  }
  return runOp('scatterAdd', [src, indices], { rows });
}

/** One-hot rows of length `depth`; an index outside [0, depth) gives a row of zeros. */
export function oneHot(indices: Tensor, depth: number): Tensor {
  if (!Number.isInteger(depth) || depth < 1) {
    throw new InvalidArgumentError(`oneHot: depth must be a positive integer, received ${depth}`);
  }
  return runOp('oneHot', [indices], { depth });
}

export function flatten(x: Tensor): Tensor {
  return reshape(x, [x.shape[0], -1]);
}

/** Removes size-1 axes (all of them, or those named). */
export function squeeze(x: Tensor, axes?: readonly number[]): Tensor {
  const drop = axes?.map((a) => normalizeAxis('squeeze', a, x.rank));
  for (const a of drop ?? []) {
    if (x.shape[a] !== 1) {
      throw new InvalidArgumentError(
        `squeeze: axis ${a} of ${fmtShape(x.shape)} has size ${x.shape[a]}, expected 1`,
      );
    }
  }
  return reshape(
    x,
    x.shape.filter((d, i) => d !== 1 || (drop !== undefined && !drop.includes(i))),
  );
}

export function expandDims(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis('expandDims', axis, x.rank + 1);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}
