import { currentBackend } from '../engine';
import { assertValidShape, type Shape, sizeOf } from '../shape';
import { Tensor } from '../tensor';

/** Anything an op accepts as an operand: a tensor, or a number taken as a scalar tensor. */
export type TensorLike = Tensor | number;

/** A number becomes a scalar on the backend of `like` (or the current one). */
export function toTensor(x: TensorLike, like?: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  const backend = like?.backend ?? currentBackend();
  return new Tensor([], backend.upload([x], []), backend);
}

/** A tensor of `shape` filled with `value` on the current backend (or that of `like`). */
export function fill(shape: Shape, value: number, like?: Tensor): Tensor {
  assertValidShape('fill', shape);
  const backend = like?.backend ?? currentBackend();
  // Float64Array so a float64 backend keeps the value exact; upload converts to the backend's type.
  return new Tensor(shape, backend.upload(new Float64Array(sizeOf(shape)).fill(value), shape), backend);
}

export function zeros(shape: Shape): Tensor {
  return fill(shape, 0);
}

export function ones(shape: Shape): Tensor {
  return fill(shape, 1);
}

export function zerosLike(t: Tensor): Tensor {
  return fill(t.shape, 0, t);
}

export function onesLike(t: Tensor): Tensor {
  return fill(t.shape, 1, t);
}

export function scalar(value: number): Tensor {
  return toTensor(value);
}
