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

/**
 * The device a backend ran on is gone (lost, destroyed, a driver reset): nothing more runs on that
 * backend. fit recovers from it (see `recoverBackend` in graph/engine.ts); other calls reject with it.
 */
export class DeviceLostError extends BackendError {}

/**
 * One allocation or submit failed on a device that is still usable (out of device memory, a
 * validation error at a size limit). The backend stays healthy; what the failed call would have made
 * does not exist.
 */
export class DeviceAllocationError extends BackendError {}

/** Formats a shape the way messages show it: `[2,3]`, `[]` for a scalar. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** What an OutOfMemoryError is about: the layer and tensor at fault, its bytes and the limit. */
export interface MemoryFault {
  /** The layer (or `model` for a total) whose tensor does not fit. */
  layer: string;
  /** The tensor: `kernel`, `output`, `total for training`. */
  tensor: string;
  shape: readonly number[] | null;
  bytes: number;
  limit: number;
  /** What the limit is: `maxStorageBufferBindingSize of <adapter>`, `CPU memory budget`. */
  limitName: string;
}

/**
 * A model, a batch or a tensor that would not fit, found before anything is allocated (or, on a
 * device, when an allocation fails): the message names the layer, the shape, the bytes and the limit.
 */
export class OutOfMemoryError extends WebGPUTrainerError {
  readonly fault: MemoryFault;

  constructor(fault: MemoryFault, context: string, hint: string) {
    const shape = fault.shape ? ` ${fmtShape(fault.shape)}` : '';
    super(
      `${context}: ${fault.layer} ${fault.tensor}${shape} needs ${formatBytes(fault.bytes)}, over the ` +
        `${fault.limitName} of ${formatBytes(fault.limit)}; ${hint}`,
    );
    this.fault = fault;
  }
}

/** Bytes for people: `1.5 GiB (1610612736 bytes)`. */
export function formatBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let unit = 'bytes';
  for (const u of units) {
    if (v < 1024) break;
    v /= 1024;
    unit = u;
  }
  return unit === 'bytes' ? `${bytes} bytes` : `${v.toFixed(1)} ${unit} (${bytes} bytes)`;
}
