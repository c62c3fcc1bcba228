/**
 * Accuracy in its three Keras forms. `accuracy` picks one from the shapes it is given, the way
 * Keras resolves the compiled name 'accuracy'.
 */
import {
  argmaxRows,
  checkFinite,
  checkSameLength,
  isRows,
  type Scores,
  toLabels,
  toMatrix,
  type Values,
} from './inputs';
import { MetricError } from './metric-error';

export interface AccuracyOptions {
  /** Binary accuracy only: a score counts as class 1 when it is strictly above this. Default 0.5. */
  threshold?: number;
  /** Read flat `yPred` (and flat one-hot `yTrue`) as rows of this many classes. */
  numClasses?: number;
}

/** The fraction of samples whose predicted label is the true one: every accuracy ends here. */
function agreement(labels: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === predicted[i]) hits++;
  return hits / labels.length;
}

/**
 * Binary accuracy: `yTrue` holds 0/1 labels, `yScore` probabilities (or any scores); a score above
 * `threshold` (strictly, as Keras compares `y_pred > threshold`) predicts 1.
 * Throws MetricError on empty input, a label other than 0 or 1, or a non-finite score.
 */
export function binaryAccuracy(yTrue: Values, yScore: Values, options: AccuracyOptions = {}): number {
  const fn = 'binaryAccuracy';
  const threshold = options.threshold ?? 0.5;
  if (!Number.isFinite(threshold)) {
    throw new MetricError(`${fn}: threshold must be a finite number, got ${threshold}`);
  }
  checkSameLength(fn, yTrue.length, yScore.length);
  const labels = toLabels(fn, 'yTrue', yTrue, 2);
  checkFinite(fn, 'yPred', yScore);
  return agreement(
    labels,
    Int32Array.from(yScore, (score) => (score > threshold ? 1 : 0)),
  );
}

/**
 * Categorical accuracy: `yTrue` one-hot rows (argmax taken, so smoothed labels work too) and
 * `yPred` score rows; a sample is right when both argmaxes agree (first index wins ties).
 * Throws MetricError on empty input or rows of different widths.
 */
export function categoricalAccuracy(yTrue: Scores, yPred: Scores, options: AccuracyOptions = {}): number {
  const fn = 'categoricalAccuracy';
  const t = toMatrix(fn, 'yTrue', yTrue, options.numClasses);
  const p = toMatrix(fn, 'yPred', yPred, options.numClasses ?? t.cols);
  checkSameLength(fn, t.rows, p.rows, 'rows');
  return agreement(argmaxRows(t), argmaxRows(p));
}

/**
 * Sparse categorical accuracy: `yTrue` integer labels, `yPred` score rows; right when the argmax
 * of the row is the label. Throws MetricError on empty input or a label outside [0, classes).
 */
export function sparseCategoricalAccuracy(
  yTrue: Values,
  yPred: Scores,
  options: AccuracyOptions = {},
): number {
  const fn = 'sparseCategoricalAccuracy';
  const p = toMatrix(fn, 'yPred', yPred, options.numClasses);
  checkSameLength(fn, yTrue.length, p.rows);
  return agreement(toLabels(fn, 'yTrue', yTrue, p.cols), argmaxRows(p));
}

/**
 * Accuracy chosen by shape: score rows in `yPred` (or `numClasses` given) mean categorical accuracy
 * when `yTrue` is rows (or a flat array of rows × numClasses) and sparse categorical accuracy when
 * `yTrue` has one label per sample; a flat `yPred` means binary accuracy with `threshold`.
 */
export function accuracy(yTrue: Scores, yPred: Scores, options: AccuracyOptions = {}): number {
  const fn = 'accuracy';
  if (!isRows(yPred) && options.numClasses === undefined) {
    if (isRows(yTrue)) throw new MetricError(`${fn}: yTrue is rows but yPred is flat; expected both rows`);
    return binaryAccuracy(yTrue, yPred, options);
  }
  const p = toMatrix(fn, 'yPred', yPred, options.numClasses);
  if (isRows(yTrue) || (yTrue.length === p.rows * p.cols && yTrue.length !== p.rows)) {
    return categoricalAccuracy(yTrue, yPred, { ...options, numClasses: p.cols });
  }
  if (yTrue.length === p.rows)
    return sparseCategoricalAccuracy(yTrue, yPred, { ...options, numClasses: p.cols });
  throw new MetricError(
    `${fn}: yTrue has ${yTrue.length} values for ${p.rows} rows of ${p.cols} classes; ` +
      `expected ${p.rows} labels or ${p.rows * p.cols} one-hot values`,
  );
}
