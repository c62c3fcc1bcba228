import { fmtShape, InvalidArgumentError, ShapeError } from '../errors';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides: the step in elements between neighbours along each axis. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function assertValidShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new InvalidArgumentError(`${op}: shape ${fmtShape(shape)} must hold non-negative integers`);
    }
  }
}

/** NumPy broadcasting: align right, each pair of dims equal or one of them 1. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (d === out[o] || d === 1) continue;
      if (out[o] === 1) out[o] = d;
      else {
        throw new ShapeError(
          `${op}: shapes ${shapes.map(fmtShape).join(' and ')} cannot be broadcast together ` +
            `(axis ${o} of the result: ${out[o]} vs ${d})`,
        );
      }
    }
  }
  return out;
}

/**
 * Strides of `shape` seen from an output of rank `outRank` it is broadcast into:
 * 0 on axes the input does not have or has as 1.
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const own = stridesOf(shape);
  const out = new Array<number>(outShape.length).fill(0);
  const offset = outShape.length - shape.length;
  for (let i = 0; i < shape.length; i++) {
    out[offset + i] = shape[i] === 1 && outShape[offset + i] !== 1 ? 0 : own[i];
  }
  return out;
}

/** Resolves a possibly negative axis against a rank, or throws naming the op. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new InvalidArgumentError(
      `${op}: axis ${axis} is out of range for a tensor of rank ${rank} (expected -${rank} <= axis < ${rank})`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/** Resolves axes (undefined means all), sorted and checked for repeats. */
export function normalizeAxes(
  op: string,
  axes: number | readonly number[] | undefined,
  rank: number,
): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = (typeof axes === 'number' ? [axes] : [...axes]).map((a) => normalizeAxis(op, a, rank));
  const sorted = [...new Set(list)].sort((a, b) => a - b);
  if (sorted.length !== list.length) {
    throw new InvalidArgumentError(`${op}: axes [${axes}] name the same axis twice`);
  }
  return sorted;
}

/** The shape after reducing `axes`: removed, or kept as 1 with keepDims. */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

/** Axes along which `from` was broadcast to reach `to` (for summing a gradient back). */
export function broadcastAxes(from: Shape, to: Shape): number[] {
  const axes: number[] = [];
  const offset = to.length - from.length;
  for (let i = 0; i < to.length; i++) {
    if (i < offset || (from[i - offset] === 1 && to[i] !== 1)) axes.push(i);
  }
  return axes;
}

/** Splits a shape around `axis`: [product before, size, product after]. */
export function splitAt(shape: Shape, axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}
