/**
 * Training data on the host: inputs converted once to row-major Float32Arrays, validated (shape,
 * NaN/Infinity, label range), then cut into batches that are uploaded to the current backend.
 * Every error names the argument, what it received and what was expected.
 */
import { fmtShape, InvalidArgumentError, ShapeError } from '../../errors';
import { type NestedNumbers, tensor } from '../../graph/engine';
import { type Shape, shapesEqual, sizeOf } from '../../graph/shape';
import { Tensor } from '../../graph/tensor';
import type { LossConfig } from '../losses';
import type { HostTensor } from '../metric';

/**
 * What fit, evaluate and predict accept: a tensor, nested arrays, or `{ data, shape }`. A
 * Float32Array in `{ data, shape }` is read where it is, not copied: change it only between calls.
 */
export type ModelInput = Tensor | NestedNumbers | HostTensor;

function isHostTensor(v: unknown): v is HostTensor {
  return typeof v === 'object' && v !== null && 'data' in v && 'shape' in v && !(v instanceof Tensor);
}

function nestedShape(v: NestedNumbers, what: string): number[] {
  if (typeof v === 'number') return [];
  if (!Array.isArray(v)) {
    throw new InvalidArgumentError(
      `${what}: expected numbers or nested arrays of numbers, received ${typeof v}`,
    );
  }
  if (v.length === 0) return [0];
  const inner = nestedShape(v[0], what);
  for (const row of v) {
    if (!shapesEqual(nestedShape(row, what), inner)) {
      throw new ShapeError(`${what}: nested arrays are ragged; every row must have shape ${fmtShape(inner)}`);
    }
  }
  return [v.length, ...inner];
}

/** An input on the host (a Float32Array given as `{ data, shape }` is used as it is); `what` names it in errors (`fit(x)`). */
export async function toHost(what: string, v: ModelInput): Promise<HostTensor> {
  if (v instanceof Tensor) return { data: await v.data(), shape: [...v.shape] };
  if (isHostTensor(v)) {
    if (v.data.length !== sizeOf(v.shape)) {
      throw new ShapeError(`${what}: ${v.data.length} values do not fill shape ${fmtShape(v.shape)}`);
    }
    // Read in place, never written: a copy of a large dataset cost each fit() call as much as an
    // epoch's tenth (W2, 2,048 rows), and twice its memory while the run lasts.
    const data = v.data instanceof Float32Array ? v.data : Float32Array.from(v.data);
    return { data, shape: [...v.shape] };
  }
  const shape = nestedShape(v, what);
  const flat: number[] = [];
  const visit = (u: NestedNumbers): void => {
    if (typeof u === 'number') flat.push(u);
    else for (const w of u) visit(w);
  };
  visit(v);
  return { data: Float32Array.from(flat), shape };
}

/** Throws if any value is NaN or infinite, naming the row. */
export function assertFinite(what: string, host: HostTensor): void {
  const rowSize = sizeOf(host.shape.slice(1));
  for (let i = 0; i < host.data.length; i++) {
    if (!Number.isFinite(host.data[i])) {
      throw new InvalidArgumentError(
        `${what}: value ${host.data[i]} at row ${Math.floor(i / Math.max(rowSize, 1))} (element ${i}); every value must be finite`,
      );
    }
  }
}

/** Checks x is a batch of samples of `inputShape`. */
export function assertInputShape(what: string, x: HostTensor, inputShape: Shape): void {
  if (x.shape.length !== inputShape.length + 1 || !shapesEqual(x.shape.slice(1), inputShape)) {
    throw new ShapeError(
      `${what}: expected shape [batch,${inputShape.join(',')}] (rank ${inputShape.length + 1}), received ${fmtShape(x.shape)}`,
    );
  }
  if (x.shape[0] < 1) throw new ShapeError(`${what}: no samples (shape ${fmtShape(x.shape)})`);
}

/**
 * Labels reshaped to what the loss expects, after checking their shape and values: class indices
 * for sparseCategoricalCrossentropy, values in [0, 1] for binaryCrossentropy, otherwise one value
 * per model output. A [batch] vector is accepted where the model has a single output.
 */
export function prepareLabels(
  what: string,
  y: HostTensor,
  samples: number,
  outputShape: Shape,
  loss: LossConfig,
): HostTensor {
  if (y.shape[0] !== samples) {
    throw new ShapeError(
      `${what}: ${y.shape[0]} labels for ${samples} samples (label shape ${fmtShape(y.shape)})`,
    );
  }
  if (loss.name === 'sparseCategoricalCrossentropy') {
    const expected = [samples, ...outputShape.slice(0, -1)];
    if (!shapesEqual(y.shape, expected) && !shapesEqual(y.shape, [...expected, 1])) {
      throw new ShapeError(
        `${what}: sparse labels must have shape ${fmtShape(expected)} (one class index per sample), received ${fmtShape(y.shape)}`,
      );
    }
    const classes = outputShape[outputShape.length - 1];
    y.data.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 0 || v >= classes) {
        throw new InvalidArgumentError(
          `${what}: label ${v} at row ${i} is not a class index in [0, ${classes - 1}] (the model has ${classes} outputs)`,
        );
      }
    });
    return { data: y.data, shape: expected };
  }
  const expected = [samples, ...outputShape];
  const vectorForSingleOutput = shapesEqual(outputShape, [1]) && shapesEqual(y.shape, [samples]);
  if (!shapesEqual(y.shape, expected) && !vectorForSingleOutput) {
    throw new ShapeError(
      `${what}: expected labels of shape ${fmtShape(expected)}, received ${fmtShape(y.shape)}`,
    );
  }
  if (loss.name === 'binaryCrossentropy') {
    y.data.forEach((v, i) => {
      if (!(v >= 0 && v <= 1)) {
        throw new InvalidArgumentError(`${what}: binary label ${v} at element ${i} is outside [0, 1]`);
      }
    });
  }
  return { data: y.data, shape: expected };
}

/** The class of each sample, for classWeight: the index, the one-hot argmax, or a binary label. */
function sampleClasses(labels: HostTensor, loss: LossConfig): Int32Array {
  const samples = labels.shape[0];
  const rowSize = sizeOf(labels.shape.slice(1));
  const out = new Int32Array(samples);
  for (let r = 0; r < samples; r++) {
    if (
      loss.name === 'sparseCategoricalCrossentropy' ||
      (loss.name === 'binaryCrossentropy' && rowSize === 1)
    ) {
      out[r] = Math.round(labels.data[r * rowSize]);
    } else if (loss.name === 'categoricalCrossentropy') {
      let best = 0;
      for (let j = 1; j < rowSize; j++)
        if (labels.data[r * rowSize + j] > labels.data[r * rowSize + best]) best = j;
      out[r] = best;
    } else {
      throw new InvalidArgumentError(
        `fit(classWeight): needs class labels (a cross-entropy loss with one label per sample), the loss is ${loss.name} with ${rowSize} values per sample`,
      );
    }
  }
  return out;
}

/** One weight per sample from `classWeight` (classes not listed weigh 1). */
export function classSampleWeights(
  classWeight: Readonly<Record<number, number>>,
  labels: HostTensor,
  loss: LossConfig,
): Float32Array {
  for (const [k, w] of Object.entries(classWeight)) {
    if (!Number.isInteger(Number(k)) || !(typeof w === 'number' && w >= 0 && Number.isFinite(w))) {
      throw new InvalidArgumentError(
        `fit(classWeight): entry ${k}: ${w} must map a class index to a finite non-negative weight`,
      );
    }
  }
  const classes = sampleClasses(labels, loss);
  return Float32Array.from(classes, (c) => classWeight[c] ?? 1);
}

/** Rows `[start, end)` of `host` (or the rows `order` lists there), copied on the host. */
export function gatherRows(host: HostTensor, start: number, end: number, order?: Int32Array): Float32Array {
  const rowSize = sizeOf(host.shape.slice(1));
  const out = new Float32Array((end - start) * rowSize);
  for (let r = start; r < end; r++) {
    const src = order ? order[r] : r;
    out.set(host.data.subarray(src * rowSize, (src + 1) * rowSize), (r - start) * rowSize);
  }
  return out;
}

/** Rows `[start, end)` of `host`, or the rows `order` lists there, as one tensor on the current backend. */
export function takeRows(host: HostTensor, start: number, end: number, order?: Int32Array): Tensor {
  return tensor(gatherRows(host, start, end, order), [end - start, ...host.shape.slice(1)]);
}

/** Rows `[start, end)` of a host tensor, copied on the host (for validation splits). */
export function hostRows(host: HostTensor, start: number, end: number): HostTensor {
  const rowSize = sizeOf(host.shape.slice(1));
  return {
    data: host.data.slice(start * rowSize, end * rowSize),
    shape: [end - start, ...host.shape.slice(1)],
  };
}
