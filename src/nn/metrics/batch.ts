/**
 * Reading one batch for a compiled metric. Predictions are rows of `classes` outputs (the last
 * axis); labels are one value per row (a 0/1 target for a single sigmoid output, a class index
 * otherwise) or one value per output (one-hot rows, regression targets). The class count is fixed
 * by the first batch after reset, so a mismatched later batch is reported rather than mixed in.
 */
import { fmtShape } from '../../errors';
import { MetricError } from './metric-error';
import type { HostTensor } from './metric-interface';

/** Rows and outputs per row of a batch of predictions. */
export interface BatchShape {
  rows: number;
  classes: number;
}

/** Checks a batch's labels against its predictions and against the class count seen so far. */
export function batchShape(
  name: string,
  yTrue: HostTensor,
  yPred: HostTensor,
  classesSoFar: number | undefined,
): BatchShape {
  const classes = yPred.shape.length > 1 ? yPred.shape[yPred.shape.length - 1] : 1;
  const rows = classes > 0 ? yPred.data.length / classes : 0;
  if (yTrue.data.length !== rows && yTrue.data.length !== yPred.data.length) {
    throw new MetricError(
      `${name}: labels ${fmtShape(yTrue.shape)} do not fit predictions ${fmtShape(yPred.shape)}; ` +
        `expected ${rows} labels or ${yPred.data.length} values (one-hot or targets)`,
    );
  }
  if (classesSoFar !== undefined && classesSoFar !== classes) {
    throw new MetricError(
      `${name}: batch has ${classes} outputs per row but earlier batches had ${classesSoFar}`,
    );
  }
  return { rows, classes };
}

/**
 * Per-row true classes: a single output's target counts as class 1 above 0.5 (as binary accuracy
 * reads it, so soft targets work); a class index must be an integer in range; one-hot rows give
 * their argmax.
 */
export function trueLabels(name: string, yTrue: Float32Array, { rows, classes }: BatchShape): Int32Array {
  const out = new Int32Array(rows);
  if (classes === 1) {
    for (let i = 0; i < rows; i++) out[i] = yTrue[i] > 0.5 ? 1 : 0;
    return out;
  }
  if (yTrue.length === rows) {
    for (let i = 0; i < rows; i++) {
      const v = yTrue[i];
      if (!Number.isInteger(v) || v < 0 || v >= classes) {
        throw new MetricError(`${name}: label ${v} at row ${i} is not a class index in [0, ${classes})`);
      }
      out[i] = v;
    }
    return out;
  }
  for (let r = 0; r < rows; r++) out[r] = argmaxAt(yTrue, r * classes, classes);
  return out;
}

/** Index of the largest of `n` values from `offset`; the first wins ties. */
export function argmaxAt(data: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (data[offset + j] > data[offset + best]) best = j;
  return best;
}

/** Predicted classes: above `threshold` for a single output, argmax of the row otherwise. */
export function predictedLabels(
  yPred: Float32Array,
  { rows, classes }: BatchShape,
  threshold: number,
): Int32Array {
  const out = new Int32Array(rows);
  if (classes === 1) {
    for (let i = 0; i < rows; i++) out[i] = yPred[i] > threshold ? 1 : 0;
    return out;
  }
  for (let r = 0; r < rows; r++) out[r] = argmaxAt(yPred, r * classes, classes);
  return out;
}

/** Thrown by result() before any batch: there is no value to report. */
export function emptyResult(name: string): never {
  throw new MetricError(`${name}: no samples since reset; call update with at least one batch first`);
}
