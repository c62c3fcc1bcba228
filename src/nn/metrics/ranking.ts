/**
 * Score-ranking metrics: ROC AUC, the ROC curve and the precision-recall curve. All three sweep
 * the distinct scores from high to low; samples with equal scores move together, which is what
 * makes the trapezoid area under the ROC curve equal the Mann-Whitney U statistic with ties
 * counted half.
 */
import {
  checkNumClasses,
  checkSameLength,
  column,
  isRows,
  type ScoreMatrix,
  type Scores,
  toLabels,
  toMatrix,
  toValues,
  type Values,
} from './inputs';
import { MetricError } from './metric-error';

/** Cumulative counts after each group of equal scores, highest score first. */
interface Sweep {
  thresholds: number[];
  tps: number[];
  fps: number[];
  positives: number;
  negatives: number;
}

function sweep(positive: Uint8Array, scores: ArrayLike<number>): Sweep {
  const n = positive.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[b] - scores[a]);
  const s: Sweep = { thresholds: [], tps: [], fps: [], positives: 0, negatives: 0 };
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; i++) {
    const j = order[i];
    if (positive[j]) tp++;
    else fp++;
    if (i === n - 1 || scores[order[i + 1]] !== scores[j]) {
      s.thresholds.push(scores[j]);
      s.tps.push(tp);
      s.fps.push(fp);
    }
  }
  s.positives = tp;
  s.negatives = fp;
  return s;
}

function requireBothClasses(fn: string, s: Sweep, where: string): void {
  if (s.positives === 0 || s.negatives === 0) {
    const present = s.positives === 0 ? 'negative' : 'positive';
    throw new MetricError(
      `${fn}: only ${present} samples in yTrue${where}; ROC AUC and the ROC curve need both classes`,
    );
  }
}

/** Trapezoid area under the ROC curve of one binary problem; errors when a class is absent. */
export function binaryAucOf(fn: string, positive: Uint8Array, scores: ArrayLike<number>, where = ''): number {
  const s = sweep(positive, scores);
  requireBothClasses(fn, s, where);
  let area = 0;
  let prevTp = 0;
  let prevFp = 0;
  for (let i = 0; i < s.tps.length; i++) {
    // Counts stay integers until the final division, so the result is exact up to one rounding.
    area += (s.fps[i] - prevFp) * (s.tps[i] + prevTp);
    prevTp = s.tps[i];
    prevFp = s.fps[i];
  }
  return area / (2 * s.positives * s.negatives);
}

export type AucAverage = 'macro' | 'weighted' | 'micro';

export interface RocAucOptions {
  /**
   * Multiclass one-vs-rest averaging: 'macro' (default) is the mean of per-class AUCs, 'weighted'
   * weights each class by its support, 'micro' pools every (sample, class) pair into one binary
   * problem. Ignored for binary input.
   */
  average?: AucAverage;
  /** Read a flat `yScore` as rows of this many classes. */
  numClasses?: number;
  /** Binary only: which label (0 or 1) the scores are for. Default 1. */
  posLabel?: number;
}

function positivesOf(labels: Int32Array, c: number): Uint8Array {
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = labels[i] === c ? 1 : 0;
  return out;
}

/** One-vs-rest AUC over score rows; shared by `rocAuc` and the streaming AUC metric. */
export function multiclassAucOf(fn: string, labels: Int32Array, m: ScoreMatrix, average: AucAverage): number {
  if (average === 'micro') {
    const positive = new Uint8Array(m.rows * m.cols);
    for (let r = 0; r < m.rows; r++) positive[r * m.cols + labels[r]] = 1;
    return binaryAucOf(fn, positive, m.data, ' (micro-averaged)');
  }
  if (average !== 'macro' && average !== 'weighted') {
    throw new MetricError(`${fn}: average must be 'macro', 'weighted' or 'micro', got '${average}'`);
  }
  let total = 0;
  for (let c = 0; c < m.cols; c++) {
    const positive = positivesOf(labels, c);
    const auc = binaryAucOf(fn, positive, column(m, c), ` for class ${c} (one-vs-rest)`);
    let support = 0;
    for (let i = 0; i < positive.length; i++) support += positive[i];
    total += average === 'macro' ? auc / m.cols : (auc * support) / m.rows;
  }
  return total;
}

/** Binary input: flat scores for `posLabel`, or two-column rows (also flat with numClasses 2). */
function binaryInput(fn: string, yTrue: Values, yScore: Scores, posLabel = 1, numClasses?: number) {
  if (posLabel !== 0 && posLabel !== 1)
    throw new MetricError(`${fn}: posLabel must be 0 or 1, got ${posLabel}`);
  let scores: ArrayLike<number>;
  if (isRows(yScore) || numClasses === 2) {
    const m = toMatrix(fn, 'yScore', yScore, 2);
    scores = column(m, posLabel);
  } else {
    scores = toValues(fn, 'yScore', yScore);
  }
  checkSameLength(fn, yTrue.length, scores.length);
  return { positive: positivesOf(toLabels(fn, 'yTrue', yTrue, 2), posLabel), scores };
}

/**
 * Area under the ROC curve. Binary: `yTrue` 0/1 labels and `yScore` one score per sample (or rows
 * of two, column `posLabel` used). Multiclass (score rows with more than two columns, or a flat
 * `yScore` with `numClasses` > 2): one-vs-rest with `average`. Scores need not be probabilities;
 * only their order matters. Ties count half, equal to the trapezoid rule on the ROC curve.
 * Throws MetricError when a class (any class, for one-vs-rest) has no positive or no negative
 * sample, since AUC is undefined there (scikit-learn raises too), and on empty or NaN input.
 */
export function rocAuc(yTrue: Values, yScore: Scores, options: RocAucOptions = {}): number {
  const fn = 'rocAuc';
  if (options.numClasses !== undefined) checkNumClasses(fn, options.numClasses);
  const k = options.numClasses ?? (isRows(yScore) ? yScore[0].length : 2);
  if (k > 2) {
    const m = toMatrix(fn, 'yScore', yScore, k);
    checkSameLength(fn, yTrue.length, m.rows);
    return multiclassAucOf(fn, toLabels(fn, 'yTrue', yTrue, k), m, options.average ?? 'macro');
  }
  const { positive, scores } = binaryInput(fn, yTrue, yScore, options.posLabel, options.numClasses);
  return binaryAucOf(fn, positive, scores);
}

export interface RocCurve {
  /** False positive rate at each threshold, increasing from 0 to 1. */
  fpr: number[];
  /** True positive rate at each threshold, increasing from 0 to 1. */
  tpr: number[];
  /** Decreasing: Infinity (nothing predicted positive), then every distinct score. */
  thresholds: number[];
}

/**
 * ROC curve points of a binary problem (input as `rocAuc`'s binary form): a point per distinct
 * score, predicting positive when score >= threshold, plus the (0, 0) point at threshold Infinity.
 * Unlike scikit-learn's default, collinear points are kept. Throws MetricError when yTrue has only
 * one class (a rate would divide by zero).
 */
export function rocCurve(yTrue: Values, yScore: Scores, options: { posLabel?: number } = {}): RocCurve {
  const fn = 'rocCurve';
  const { positive, scores } = binaryInput(fn, yTrue, yScore, options.posLabel);
  const s = sweep(positive, scores);
  requireBothClasses(fn, s, '');
  return {
    fpr: [0, ...s.fps.map((v) => v / s.negatives)],
    tpr: [0, ...s.tps.map((v) => v / s.positives)],
    thresholds: [Number.POSITIVE_INFINITY, ...s.thresholds],
  };
}

export interface PrecisionRecallCurve {
  /** Precision at each threshold; 1 at threshold Infinity by convention (scikit-learn's end point). */
  precision: number[];
  /** Recall at each threshold, increasing from 0 to 1. */
  recall: number[];
  /** Decreasing: Infinity (nothing predicted positive), then every distinct score. */
  thresholds: number[];
}

/**
 * Precision-recall curve points of a binary problem, ordered like `rocCurve` (decreasing
 * threshold). The first point, (recall 0, precision 1) at threshold Infinity, is the convention
 * scikit-learn appends; every other precision has a non-zero denominator. Throws MetricError when
 * yTrue has no positive sample (recall undefined).
 */
export function precisionRecallCurve(
  yTrue: Values,
  yScore: Scores,
  options: { posLabel?: number } = {},
): PrecisionRecallCurve {
  const fn = 'precisionRecallCurve';
  const { positive, scores } = binaryInput(fn, yTrue, yScore, options.posLabel);
  const s = sweep(positive, scores);
  if (s.positives === 0) throw new MetricError(`${fn}: no positive samples in yTrue; recall is undefined`);
  return {
    precision: [1, ...s.tps.map((tp, i) => tp / (tp + s.fps[i]))],
    recall: [0, ...s.tps.map((tp) => tp / s.positives)],
    thresholds: [Number.POSITIVE_INFINITY, ...s.thresholds],
  };
}
