/**
 * Confusion matrix, precision, recall and F1, computed from one confusion matrix so the plain
 * functions and the streaming metrics (which accumulate the matrix batch by batch) share every
 * formula. Definitions follow scikit-learn (`precision_recall_fscore_support`).
 */
import {
  argmaxRows,
  checkNumClasses,
  checkSameLength,
  inferNumClasses,
  isRows,
  type Scores,
  toLabels,
  toMatrix,
  type Values,
} from './inputs';
import { MetricError } from './metric-error';

export type Average = 'binary' | 'macro' | 'micro' | 'weighted';

export interface ClassificationOptions {
  /**
   * 'binary' (the default when there are two classes) scores only `posLabel`; 'macro' is the
   * unweighted mean over classes; 'micro' pools the counts of all classes; 'weighted' weights each
   * class by its support (its count in yTrue). With more than two classes it must be given.
   */
  average?: Average;
  /** The positive class for average 'binary'. Default 1. */
  posLabel?: number;
  /** Number of classes; default: score-row width, else the largest label + 1 (at least 2). */
  numClasses?: number;
  /**
   * The value of a ratio whose denominator is zero (precision with no predicted positives, recall
   * with no actual positives, F1 with neither): 0 (default, as scikit-learn), 1, or 'error' to
   * throw MetricError.
   */
  zeroDivision?: 0 | 1 | 'error';
}

/** Predicted labels: taken as given when flat, argmax per row when `yPred` holds score rows. */
function predictedLabels(fn: string, yPred: Scores, numClasses: number): Int32Array {
  if (isRows(yPred)) return argmaxRows(toMatrix(fn, 'yPred', yPred, numClasses));
  return toLabels(fn, 'yPred', yPred, numClasses);
}

/** Counts as a flat k×k matrix: entry [t * k + p] counts samples of true class t predicted as p. */
export function confusionCounts(fn: string, yTrue: Values, yPred: Scores, numClasses: number): Float64Array {
  checkNumClasses(fn, numClasses);
  checkSameLength(fn, yTrue.length, yPred.length);
  const t = toLabels(fn, 'yTrue', yTrue, numClasses);
  const p = predictedLabels(fn, yPred, numClasses);
  const cm = new Float64Array(numClasses * numClasses);
  for (let i = 0; i < t.length; i++) cm[t[i] * numClasses + p[i]]++;
  return cm;
}

/**
 * Confusion matrix with rows = true class and columns = predicted class, as scikit-learn's
 * `confusion_matrix(y_true, y_pred, labels=range(numClasses))`. `yPred` may be labels or score
 * rows (argmax taken). Throws MetricError on empty input or labels outside [0, numClasses).
 */
export function confusionMatrix(yTrue: Values, yPred: Scores, numClasses: number): number[][] {
  const cm = confusionCounts('confusionMatrix', yTrue, yPred, numClasses);
  return Array.from({ length: numClasses }, (_, t) =>
    Array.from(cm.subarray(t * numClasses, (t + 1) * numClasses)),
  );
}

type Score = 'precision' | 'recall' | 'f1';

function ratio(fn: string, num: number, den: number, what: string, zeroDivision: 0 | 1 | 'error'): number {
  if (den > 0) return num / den;
  if (zeroDivision === 'error') throw new MetricError(`${fn}: ${what} is zero, so the ratio is undefined`);
  return zeroDivision;
}

/** Precision, recall or F1 of one class from pooled true-positive, false-positive, false-negative counts. */
function scoreOf(
  fn: string,
  score: Score,
  tp: number,
  fp: number,
  fnCount: number,
  where: string,
  zd: 0 | 1 | 'error',
) {
  if (score === 'precision') return ratio(fn, tp, tp + fp, `the number of predicted positives${where}`, zd);
  if (score === 'recall') return ratio(fn, tp, tp + fnCount, `the number of actual positives${where}`, zd);
  // 2tp / (2tp + fp + fn) equals the harmonic mean of precision and recall whenever both exist.
  return ratio(fn, 2 * tp, 2 * tp + fp + fnCount, `tp + fp + fn${where}`, zd);
}

/** Resolves `average` for `numClasses` classes, refusing 'binary' for multiclass as scikit-learn does. */
export function resolveAverage(fn: string, numClasses: number, average: Average | undefined): Average {
  if (average === undefined) {
    if (numClasses === 2) return 'binary';
    throw new MetricError(
      `${fn}: ${numClasses} classes need an explicit average: 'macro', 'micro' or 'weighted'`,
    );
  }
  if (average === 'binary' && numClasses !== 2) {
    throw new MetricError(
      `${fn}: average 'binary' needs 2 classes, got ${numClasses}; use 'macro', 'micro' or 'weighted'`,
    );
  }
  if (!['binary', 'macro', 'micro', 'weighted'].includes(average)) {
    throw new MetricError(
      `${fn}: average must be 'binary', 'macro', 'micro' or 'weighted', got '${average}'`,
    );
  }
  return average;
}

/** Precision, recall or F1 from a flat k×k confusion matrix: the one formula behind every entry point. */
export function scoreFromConfusion(
  fn: string,
  score: Score,
  cm: Float64Array,
  numClasses: number,
  options: ClassificationOptions = {},
): number {
  const k = numClasses;
  const average = resolveAverage(fn, k, options.average);
  const zd = options.zeroDivision ?? 0;
  const tp = new Float64Array(k);
  const predicted = new Float64Array(k);
  const support = new Float64Array(k);
  let n = 0;
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      const c = cm[t * k + p];
      support[t] += c;
      predicted[p] += c;
      n += c;
    }
    tp[t] = cm[t * k + t];
  }
  if (n === 0) throw new MetricError(`${fn}: no samples; a metric needs at least one`);
  const of = (c: number, where: string) =>
    scoreOf(fn, score, tp[c], predicted[c] - tp[c], support[c] - tp[c], where, zd);
  if (average === 'binary') {
    const pos = options.posLabel ?? 1;
    if (pos !== 0 && pos !== 1) throw new MetricError(`${fn}: posLabel must be 0 or 1, got ${pos}`);
    return of(pos, ` for class ${pos}`);
  }
  if (average === 'micro') {
    let sumTp = 0;
    for (let c = 0; c < k; c++) sumTp += tp[c];
    // Pooled over classes every wrong sample is one false positive and one false negative.
    return scoreOf(fn, score, sumTp, n - sumTp, n - sumTp, ' over all classes', zd);
  }
  let total = 0;
  for (let c = 0; c < k; c++) {
    const w = average === 'macro' ? 1 / k : support[c] / n;
    if (w > 0) total += w * of(c, ` for class ${c}`);
  }
  return total;
}

function classificationScore(
  score: Score,
  fn: string,
  yTrue: Values,
  yPred: Scores,
  o: ClassificationOptions,
) {
  const k = o.numClasses ?? (isRows(yPred) ? yPred[0].length : inferNumClasses(fn, yTrue, yPred as Values));
  return scoreFromConfusion(fn, score, confusionCounts(fn, yTrue, yPred, k), k, o);
}

/**
 * Precision tp / (tp + fp). `yTrue` integer labels; `yPred` labels or score rows (argmax taken).
 * Throws MetricError on empty input; a zero denominator gives `zeroDivision` (default 0).
 */
export function precision(yTrue: Values, yPred: Scores, options: ClassificationOptions = {}): number {
  return classificationScore('precision', 'precision', yTrue, yPred, options);
}

/** Recall tp / (tp + fn); inputs, averaging and zero division as `precision`. */
export function recall(yTrue: Values, yPred: Scores, options: ClassificationOptions = {}): number {
  return classificationScore('recall', 'recall', yTrue, yPred, options);
}

/**
 * F1 = 2tp / (2tp + fp + fn), the harmonic mean of precision and recall (0 when both are 0, as
 * scikit-learn). Macro/weighted F1 average the per-class F1s (not the F1 of averaged precision and
 * recall), as scikit-learn does. Inputs and zero division as `precision`.
 */
export function f1(yTrue: Values, yPred: Scores, options: ClassificationOptions = {}): number {
  return classificationScore('f1', 'f1', yTrue, yPred, options);
}
