/**
 * Streaming metrics for `fit` and `evaluate`: a metric sees every batch of an epoch through
 * `update` and reports once through `result`, so an epoch value is the value over all its samples
 * (never a mean of per-batch values, which is wrong for precision, F1 and AUC).
 */
import { MetricError } from './metric-error';

/** What a model hands a metric per batch: `batch` samples with `classes` outputs each. */
export interface BatchShape {
  batch: number;
  classes: number;
}

export interface Metric {
  /** The log name, as Keras writes it: 'accuracy', then 'val_accuracy' for validation. */
  readonly name: string;
  /** Forget everything seen; called at the start of each epoch and of each evaluation. */
  reset(): void;
  /**
   * One batch. `yPred` holds `batch × classes` model outputs, row-major. `yTrue` holds `batch`
   * values (0/1 targets when classes is 1, integer labels otherwise) or `batch × classes` values
   * (one-hot rows, or regression targets).
   */
  update(yTrue: Float32Array, yPred: Float32Array, shape: BatchShape): void;
  /** The metric over every sample since `reset`. Throws MetricError when it is undefined. */
  result(): number;
}

/** Checks a batch against its shape and fixes the class count at the first batch after reset. */
export function checkBatch(
  name: string,
  yTrue: Float32Array,
  yPred: Float32Array,
  shape: BatchShape,
  classesSoFar: number | undefined,
): void {
  const { batch, classes } = shape;
  if (!Number.isInteger(batch) || batch < 0 || !Number.isInteger(classes) || classes < 1) {
    throw new MetricError(`${name}: batch shape {batch: ${batch}, classes: ${classes}} is not valid`);
  }
  if (yPred.length !== batch * classes) {
    throw new MetricError(
      `${name}: yPred has ${yPred.length} values; expected batch × classes = ${batch} × ${classes}`,
    );
  }
  if (yTrue.length !== batch && yTrue.length !== batch * classes) {
    throw new MetricError(
      `${name}: yTrue has ${yTrue.length} values; expected ${batch} labels or ${batch * classes} one-hot values`,
    );
  }
  if (classesSoFar !== undefined && classesSoFar !== classes) {
    throw new MetricError(`${name}: batch has ${classes} classes but earlier batches had ${classesSoFar}`);
  }
}

/**
 * Per-sample labels of a batch for classification: `yTrue` as labels when it has one value per
 * sample (0/1 targets for a single sigmoid output), argmax of one-hot rows otherwise.
 */
export function trueLabels(name: string, yTrue: Float32Array, shape: BatchShape): Int32Array {
  const { batch, classes } = shape;
  const k = Math.max(classes, 2);
  const out = new Int32Array(batch);
  if (yTrue.length === batch) {
    for (let i = 0; i < batch; i++) {
      const v = yTrue[i];
      if (!Number.isInteger(v) || v < 0 || v >= k) {
        throw new MetricError(`${name}: yTrue[${i}] is ${v}; expected an integer class label in [0, ${k})`);
      }
      out[i] = v;
    }
    return out;
  }
  for (let r = 0; r < batch; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (yTrue[r * classes + c] > yTrue[r * classes + best]) best = c;
    out[r] = best;
  }
  return out;
}

/** Predicted labels of a batch: threshold for one output per sample, argmax (first wins) for rows. */
export function predictedLabels(
  name: string,
  yPred: Float32Array,
  shape: BatchShape,
  threshold: number,
): Int32Array {
  const { batch, classes } = shape;
  const out = new Int32Array(batch);
  for (let i = 0; i < yPred.length; i++) {
    if (!Number.isFinite(yPred[i])) {
      throw new MetricError(`${name}: yPred[${i}] is ${yPred[i]}; the model produced a non-finite output`);
    }
  }
  if (classes === 1) {
    for (let i = 0; i < batch; i++) out[i] = yPred[i] > threshold ? 1 : 0;
    return out;
  }
  for (let r = 0; r < batch; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (yPred[r * classes + c] > yPred[r * classes + best]) best = c;
    out[r] = best;
  }
  return out;
}

export function emptyResult(name: string): never {
  throw new MetricError(`${name}: no samples since reset; call update with at least one batch first`);
}
