/**
 * Typed errors. Every message names the thing (op, layer, file, column), the value received and
 * what was expected, so a user can act on it without reading our source.
 */
export class WebGPUTrainerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit an op: `matmul: inner dimensions differ: a [2,3], b [4,5]`. */
export class ShapeError extends WebGPUTrainerError {}

/** An argument outside its domain: an axis out of range, a dropout rate of 1, a negative size. */
export class InvalidArgumentError extends WebGPUTrainerError {}

/** A backend could not be set up or was used wrongly (tensors from two backends in one op). */
export class BackendError extends WebGPUTrainerError {}

/** Formats a shape the way messages show it: `[2,3]`, `[]` for a scalar. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
