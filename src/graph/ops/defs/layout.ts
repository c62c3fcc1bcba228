/** Shapes and backwards of the layout ops (../layout.ts). */
import { fmtShape, InvalidArgumentError, ShapeError } from '../../../errors';
import type { OpDefs } from '../../op-def';
import { broadcastShapes, shapesEqual, sizeOf } from '../../shape';
import { gather, pad, reshape, scatterAdd, slice, transpose } from '../layout';
import { sumToShape } from '../reduce';

export const layoutOps: OpDefs<
  'reshape' | 'transpose' | 'broadcastTo' | 'slice' | 'pad' | 'concat' | 'gather' | 'scatterAdd' | 'oneHot'
> = {
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
};
