/** Shapes and backwards of the per-channel ops (../channel.ts). */
import { fmtShape, InvalidArgumentError, ShapeError } from '../../../errors';
import type { OpDefs } from '../../op-def';
import { type Shape, shapesEqual, sizeOf } from '../../shape';
import type { Tensor } from '../../tensor';
import { channelAffine, channelSums, channelRow as row } from '../channel';
import { mul, neg } from '../elementwise';
import { reshape } from '../layout';

/** C for x and the channel axis, after checking the axis and that each channel has elements. */
function channels(op: string, x: Shape, axis: number): number {
  if (!Number.isInteger(axis) || axis < 0 || axis >= x.length) {
    throw new InvalidArgumentError(`${op}: channel axis ${axis} is out of range for x ${fmtShape(x)}`);
  }
  if (sizeOf(x) === 0) throw new ShapeError(`${op}: x ${fmtShape(x)} has no elements to reduce`);
  return x[axis];
}

function perChannel(op: string, c: number, shapes: readonly Shape[], names: readonly string[]): void {
  shapes.forEach((s, k) => {
    if (s.length !== 1 || s[0] !== c) {
      throw new ShapeError(`${op}: ${names[k]} ${fmtShape(s)} must be [${c}], one value per channel`);
    }
  });
}

/** A [C] vector shaped to broadcast along the channel axis of x. */
function along(v: Tensor, x: Tensor, axis: number): Tensor {
  return reshape(
    v,
    x.shape.map((d, i) => (i === axis ? d : 1)),
  );
}

export const channelOps: OpDefs<'channelMoments' | 'channelAffine' | 'channelSums'> = {
  channelMoments: {
    arity: 1,
    shape: ([x], { axis }) => [2, channels('channelMoments', x, axis)],
    // d mean / dx = 1 / N;  d var / dx = 2 (x - mean) / N.
    backward: ({ dy: ds, inputs: [x], output, params: { axis } }) => {
      const n = x.size / x.shape[axis];
      return [channelAffine(x, row(output, 0), mul(row(ds, 1), 2 / n), mul(row(ds, 0), 1 / n), axis)];
    },
  },
  channelAffine: {
    arity: 4,
    shape: ([x, center, scale, shift], { axis }) => {
      const c = channels('channelAffine', x, axis);
      perChannel('channelAffine', c, [center, scale, shift], ['center', 'scale', 'shift']);
      return x;
    },
    backward: ({ dy, inputs: [x, center, scale], params: { axis }, needs }) => {
      const sums = needs[1] || needs[2] || needs[3] ? channelSums(dy, x, center, axis) : null;
      return [
        needs[0] ? mul(dy, along(scale, x, axis)) : null,
        sums && needs[1] ? neg(mul(scale, row(sums, 1))) : null,
        sums && needs[2] ? row(sums, 0) : null,
        sums && needs[3] ? row(sums, 1) : null,
      ];
    },
  },
  channelSums: {
    arity: 3,
    shape: ([dy, x, center], { axis }) => {
      if (!shapesEqual(dy, x)) {
        throw new ShapeError(`channelSums: dy ${fmtShape(dy)} must have the shape of x ${fmtShape(x)}`);
      }
      const c = channels('channelSums', x, axis);
      perChannel('channelSums', c, [center], ['center']);
      return [2, c];
    },
    // Row 0 is linear in dy and in x, row 1 in dy: g0 (x - c) + g1 for dy, g0 dy for x, and
    // -g0 sum(dy) for the center.
    backward: ({ dy: g, inputs: [dy, x, center], output, params: { axis }, needs }) => [
      needs[0] ? channelAffine(x, center, row(g, 0), row(g, 1), axis) : null,
      needs[1] ? mul(dy, along(row(g, 0), x, axis)) : null,
      needs[2] ? neg(mul(row(g, 0), row(output, 1))) : null,
    ],
  },
};
