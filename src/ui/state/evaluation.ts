/**
 * The evaluation view's numbers, from the test split's true values and the model's outputs: a
 * metrics table, and for classification the confusion matrix and ROC and precision-recall curves
 * (one-vs-rest per class), for regression predicted-vs-actual pairs. Plain data, no DOM.
 */
import {
  accuracy,
  confusionMatrix,
  f1,
  meanAbsoluteError,
  meanSquaredError,
  precision,
  precisionRecallCurve,
  r2,
  recall,
  rocAuc,
  rocCurve,
} from '../../nn/metrics/index';
import type { AlignedSeries } from '../training-log';

export interface MetricRow {
  name: string;
  /** null when the metric is undefined here; `note` says why. */
  value: number | null;
  note?: string;
}

export interface Curves {
  labels: string[];
  data: AlignedSeries;
  /** Per series: a reference line (chance, baseline), drawn dashed. */
  dashed: boolean[];
  /** Per series: its palette index, so a class's baseline has the class's colour. */
  colorIndex: number[];
}

/** One class's one-vs-rest ranking quality on the test split. */
export interface ClassCurveStats {
  className: string;
  /** Area under the ROC curve. */
  auc: number;
  /** Average precision: sum over thresholds of (R_n - R_{n-1}) * P_n, as scikit-learn's. */
  ap: number;
  /** The share of test rows in the class: the precision of guessing, the PR curve's baseline. */
  positiveRate: number;
}

export type Evaluation =
  | {
      task: 'classification';
      rows: MetricRow[];
      classNames: string[];
      confusion: number[][];
      roc: Curves;
      pr: Curves;
      /** Per class with a curve (the positive class only, for a binary task). */
      curveStats: ClassCurveStats[];
    }
  | { task: 'regression'; rows: MetricRow[]; actual: number[]; predicted: number[] };

function metric(name: string, compute: () => number): MetricRow {
  try {
    return { name, value: compute() };
  } catch (e) {
    return { name, value: null, note: (e as Error).message };
  }
}

const GRID = Array.from({ length: 101 }, (_, i) => i / 100);

/** Average precision from a precision-recall curve ordered by decreasing threshold (recall increasing). */
export function averagePrecision(recall: number[], precision: number[]): number {
  let ap = 0;
  for (let i = 1; i < recall.length; i++) ap += (recall[i] - recall[i - 1]) * precision[i];
  return ap;
}

const fixed = (v: number) => v.toFixed(3);

/** A step curve resampled on [0, 1]: at each x, the best y among points with x_i <= x (or >= for PR). */
function resample(xs: number[], ys: number[], atOrBelow: boolean): number[] {
  return GRID.map((g) => {
    let best = 0;
    for (let i = 0; i < xs.length; i++) {
      if ((atOrBelow ? xs[i] <= g + 1e-12 : xs[i] >= g - 1e-12) && ys[i] > best) best = ys[i];
    }
    return best;
  });
}

export function evaluateClassification(
  classNames: string[],
  yTrue: Float32Array,
  probabilities: Float32Array,
): Evaluation {
  const k = classNames.length;
  const rowsOf = Array.from({ length: yTrue.length }, (_, i) =>
    Array.from(probabilities.subarray(i * k, (i + 1) * k)),
  );
  const binary = k === 2;
  const average = binary ? 'binary' : 'macro';
  const rows = [
    metric('accuracy', () => accuracy(yTrue, rowsOf)),
    metric(`precision (${average})`, () => precision(yTrue, rowsOf, { average })),
    metric(`recall (${average})`, () => recall(yTrue, rowsOf, { average })),
    metric(`F1 (${average})`, () => f1(yTrue, rowsOf, { average })),
    metric(binary ? 'ROC AUC' : 'ROC AUC (one-vs-rest, macro)', () =>
      binary
        ? rocAuc(
            yTrue,
            rowsOf.map((r) => r[1]),
          )
        : rocAuc(yTrue, rowsOf, { average: 'macro' }),
    ),
  ];
  const classes = binary ? [1] : classNames.map((_, c) => c);
  const { roc, pr, curveStats } = rankingCurves(classNames, classes, yTrue, rowsOf);
  return {
    task: 'classification',
    rows,
    classNames,
    confusion: confusionMatrix(yTrue, rowsOf, k),
    roc,
    pr,
    curveStats,
  };
}

/**
 * One-vs-rest ROC and precision-recall curves per class, labelled with the class's AUC or AP, and
 * their reference lines: the ROC chance diagonal (a random ranking) and, per class, the PR baseline
 * at the class's positive rate (the precision of predicting it for every row).
 */
function rankingCurves(
  classNames: string[],
  classes: number[],
  yTrue: Float32Array,
  rowsOf: number[][],
): { roc: Curves; pr: Curves; curveStats: ClassCurveStats[] } {
  const roc: (number | null)[][] = [];
  const pr: (number | null)[][] = [];
  const curveStats: ClassCurveStats[] = [];
  for (const c of classes) {
    const isC = Float32Array.from(yTrue, (v) => (v === c ? 1 : 0));
    const scores = rowsOf.map((r) => r[c]);
    try {
      const r = rocCurve(isC, scores);
      const p = precisionRecallCurve(isC, scores);
      roc.push(resample(r.fpr, r.tpr, true));
      pr.push(resample(p.recall, p.precision, false));
      curveStats.push({
        className: classNames[c],
        auc: rocAuc(isC, scores),
        ap: averagePrecision(p.recall, p.precision),
        positiveRate: isC.reduce((a, b) => a + b, 0) / isC.length,
      });
    } catch {
      // A class absent from the test split has no curve; its metrics row says why.
    }
  }
  const n = curveStats.length;
  const ids = curveStats.map((_, i) => i);
  return {
    curveStats,
    roc: {
      labels: [...curveStats.map((s) => `${s.className} (AUC ${fixed(s.auc)})`), 'chance'],
      data: [[...GRID], ...roc, [...GRID]],
      dashed: [...ids.map(() => false), true],
      colorIndex: [...ids, n],
    },
    pr: {
      labels: [
        ...curveStats.map((s) => `${s.className} (AP ${fixed(s.ap)})`),
        ...curveStats.map((s) => `${s.className} baseline ${fixed(s.positiveRate)}`),
      ],
      data: [[...GRID], ...pr, ...curveStats.map((s) => GRID.map(() => s.positiveRate))],
      dashed: [...ids.map(() => false), ...ids.map(() => true)],
      colorIndex: [...ids, ...ids],
    },
  };
}

export function evaluateRegression(yTrue: Float32Array, predicted: Float32Array): Evaluation {
  return {
    task: 'regression',
    rows: [
      metric('mean squared error', () => meanSquaredError(yTrue, predicted)),
      metric('mean absolute error', () => meanAbsoluteError(yTrue, predicted)),
      metric('R²', () => r2(yTrue, predicted)),
    ],
    actual: Array.from(yTrue),
    predicted: Array.from(predicted),
  };
}
