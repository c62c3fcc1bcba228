/** Ops that move values without arithmetic: reshape, transpose, broadcast, slice, pad, concat, gather. */
import { fmtShape, InvalidArgumentError, ShapeError } from '../../errors';
import { registerOps, runOp } from '../engine';
import type { OpDefs } from '../op-def';
import { assertValidShape, broadcastShapes, normalizeAxis, type Shape, shapesEqual, sizeOf } from '../shape';
import type { Tensor } from '../tensor';
import { sumToShape } from './binary';

export const layoutOps: OpDefs<
  'reshape' | 'transpose' | 'broadcastTo' | 'slice' | 'pad' | 'concat' | 'gather' | 'scatterAdd' | 'oneHot'
> = registerOps({
  reshape: {
    arity: 1,
    shape: ([x], { shape }) => {
      if (sizeOf(x) !== sizeOf(shape)) {
        throw new ShapeError(
          `reshape: cannot reshape ${fmtShape(x)} (${sizeOf(x)} elements) to ${fmtShape(shape)}`,
        );
      }
      return shape;
    },
    backward: ({ dy, inputs: [x] }) => [reshape(dy, x.shape)],
  },
  transpose: {
    arity: 1,
    shape: ([x], { perm }) => {
      const sorted = [...perm].sort((a, b) => a - b);
      if (perm.length !== x.length || sorted.some((p, i) => p !== i)) {
        throw new InvalidArgumentError(
          `transpose: perm [${perm}] is not a permutation of the ${x.length} axes of ${fmtShape(x)}`,
        );
      }
      return perm.map((p) => x[p]);
    },
    backward: ({ dy, params: { perm } }) => {
      const inverse = new Array<number>(perm.length);
      perm.forEach((p, i) => {
        inverse[p] = i;
      });
      return [transpose(dy, inverse)];
    },
  },
  broadcastTo: {
    arity: 1,
    shape: ([x], { shape }) => {
      const out = broadcastShapes('broadcastTo', x, shape);
      if (!shapesEqual(out, shape)) {
        throw new ShapeError(`broadcastTo: ${fmtShape(x)} cannot be broadcast to ${fmtShape(shape)}`);
      }
      return shape;
    },
    backward: ({ dy, inputs: [x] }) => [sumToShape(dy, x.shape)],
  },
  slice: {
    arity: 1,
    shape: ([x], { begin, size }) => {
      if (begin.length !== x.length || size.length !== x.length) {
        throw new ShapeError(`slice: begin [${begin}] and size [${size}] must each have ${x.length} entries`);
      }
      x.forEach((d, i) => {
        if (!Number.isInteger(begin[i]) || !Number.isInteger(size[i])) {
          throw new InvalidArgumentError(
            `slice: begin [${begin}] and size [${size}] must hold integers (axis ${i} of ${fmtShape(x)})`,
          );
        }
        if (begin[i] < 0 || size[i] < 0 || begin[i] + size[i] > d) {
          throw new InvalidArgumentError(
            `slice: axis ${i} of ${fmtShape(x)}: begin ${begin[i]} + size ${size[i]} exceeds ${d}`,
          );
        }
      });
      return size;
    },
    backward: ({ dy, inputs: [x], params: { begin, size } }) => [
      pad(
        dy,
        x.shape.map((d, i) => [begin[i], d - begin[i] - size[i]] as const),
      ),
    ],
  },
  pad: {
    arity: 1,
    shape: ([x], { paddings }) => {
      const isCount = (n: number): boolean => Number.isInteger(n) && n >= 0;
      if (paddings.length !== x.length || paddings.some(([a, b]) => !isCount(a) || !isCount(b))) {
        throw new InvalidArgumentError(
          `pad: paddings must give integers [before, after] >= 0 for each of the ${x.length} axes of ` +
            `${fmtShape(x)}, received ${JSON.stringify(paddings)}`,
        );
      }
      return x.map((d, i) => d + paddings[i][0] + paddings[i][1]);
    },
    backward: ({ dy, inputs: [x], params: { paddings } }) => [
      slice(
        dy,
        paddings.map(([before]) => before),
        x.shape,
      ),
    ],
  },
  concat: {
    arity: 'variadic',
    shape: (inputs, { axis }) => {
      if (inputs.length === 0) throw new ShapeError('concat: needs at least one tensor');
      const first = inputs[0];
      const out = [...first];
      out[axis] = 0;
      for (const s of inputs) {
        if (s.length !== first.length || s.some((d, i) => i !== axis && d !== first[i])) {
          throw new ShapeError(
            `concat: shapes ${inputs.map(fmtShape).join(', ')} differ outside axis ${axis}`,
          );
        }
        out[axis] += s[axis];
      }
      return out;
    },
    backward: ({ dy, inputs, params: { axis }, needs }) => {
      let offset = 0;
      return inputs.map((t, i) => {
        const begin = dy.shape.map((_, a) => (a === axis ? offset : 0));
        offset += t.shape[axis];
        return needs[i] ? slice(dy, begin, t.shape) : null;
      });
    },
  },
  // gather(x, indices): rows of x picked by a 1-D tensor of integer indices.
  gather: {
    arity: 2,
    shape: ([x, indices]) => {
      if (x.length < 1 || indices.length !== 1) {
        throw new ShapeError(
          `gather: expected x of rank >= 1 and 1-D indices, received x ${fmtShape(x)} and indices ${fmtShape(indices)}`,
        );
      }
      return [indices[0], ...x.slice(1)];
    },
    backward: ({ dy, inputs: [x, indices] }) => [scatterAdd(dy, indices, x.shape[0]), null],
  },
  // scatterAdd(src, indices, rows): row i of src is added into row indices[i] of a zero tensor.
  scatterAdd: {
    arity: 2,
    shape: ([src, indices], { rows }) => {
      if (src.length < 1 || indices.length !== 1 || indices[0] !== src[0]) {
        throw new ShapeError(
          `scatterAdd: expected 1-D indices with one entry per row of src, received src ${fmtShape(src)} ` +
            `and indices ${fmtShape(indices)}`,
        );
      }
      return [rows, ...src.slice(1)];
    },
    backward: ({ dy, inputs: [, indices] }) => [gather(dy, indices), null],
  },
  oneHot: {
    arity: 1,
    shape: ([indices], { depth }) => [...indices, depth],
    backward: () => [null],
  },
});

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
