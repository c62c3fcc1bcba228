import { describe, expect, it } from 'vitest';
import { Random } from '../../src/graph/random';
import {
  AucMetric,
  accuracy,
  BinaryAccuracy,
  F1Metric,
  f1,
  type HostTensor,
  MeanAbsoluteErrorMetric,
  MeanSquaredErrorMetric,
  type Metric,
  MetricError,
  meanAbsoluteError,
  meanSquaredError,
  PrecisionMetric,
  precision,
  R2Metric,
  RecallMetric,
  r2,
  recall,
  rocAuc,
  SparseCategoricalAccuracy,
} from '../../src/nn/metrics/index';

/** A classification data set with `classes` outputs per sample, labels sparse or one-hot. */
function dataset(seed: number, n: number, classes: number, oneHot: boolean) {
  const rng = new Random(seed);
  const k = Math.max(classes, 2);
  const labels = Array.from({ length: n }, (_, i) => (i < k ? i : rng.int(k)));
  // Coarse scores force ties, where a per-batch computation would most likely go wrong.
  const yPred = Float32Array.from({ length: n * classes }, () => rng.int(8) / 8);
  const yTrue = oneHot
    ? Float32Array.from({ length: n * classes }, (_, j) =>
        labels[Math.floor(j / classes)] === j % classes ? 1 : 0,
      )
    : Float32Array.from(labels);
  return { labels, yPred, yTrue };
}

function host(data: ArrayLike<number>, shape: number[]): HostTensor {
  return { data: Float32Array.from(data), shape };
}

/** Feeds the data to a metric in uneven batches, as fit would, and returns its result. */
function stream(
  metric: Metric,
  yTrue: Float32Array,
  yPred: Float32Array,
  n: number,
  classes: number,
): number {
  metric.reset();
  const perSample = yTrue.length / n;
  let start = 0;
  for (const size of [1, 7, 3, 16, 100]) {
    const end = Math.min(n, start + size);
    if (end <= start) break;
    const rows = end - start;
    metric.update(
      host(yTrue.subarray(start * perSample, end * perSample), perSample === 1 ? [rows] : [rows, perSample]),
      host(yPred.subarray(start * classes, end * classes), [rows, classes]),
    );
    start = end;
  }
  expect(start).toBe(n);
  return metric.result();
}

function rows(yPred: Float32Array, classes: number): number[][] {
  return Array.from({ length: yPred.length / classes }, (_, r) =>
    Array.from(yPred.subarray(r * classes, (r + 1) * classes)),
  );
}

describe('compiled metrics equal the one-shot functions', () => {
  it('single sigmoid output (binary)', () => {
    const n = 90;
    const { labels, yPred, yTrue } = dataset(1, n, 1, false);
    const predicted = Array.from(yPred, (s) => (s > 0.5 ? 1 : 0));
    expect(stream(new BinaryAccuracy('accuracy'), yTrue, yPred, n, 1)).toBe(accuracy(labels, yPred));
    expect(stream(new PrecisionMetric(), yTrue, yPred, n, 1)).toBe(precision(labels, predicted));
    expect(stream(new RecallMetric(), yTrue, yPred, n, 1)).toBe(recall(labels, predicted));
    expect(stream(new F1Metric(), yTrue, yPred, n, 1)).toBe(f1(labels, predicted));
    expect(stream(new AucMetric(), yTrue, yPred, n, 1)).toBe(rocAuc(labels, yPred));
  });

  it('softmax rows with one-hot and with sparse targets', () => {
    const n = 120;
    const classes = 4;
    for (const oneHot of [true, false]) {
      const { labels, yPred, yTrue } = dataset(2, n, classes, oneHot);
      const r = rows(yPred, classes);
      if (!oneHot) {
        expect(stream(new SparseCategoricalAccuracy(), yTrue, yPred, n, classes)).toBe(accuracy(labels, r));
      }
      for (const average of ['macro', 'micro', 'weighted'] as const) {
        expect(stream(new PrecisionMetric({ average }), yTrue, yPred, n, classes)).toBe(
          precision(labels, r, { average }),
        );
        expect(stream(new RecallMetric({ average }), yTrue, yPred, n, classes)).toBe(
          recall(labels, r, { average }),
        );
        expect(stream(new F1Metric({ average }), yTrue, yPred, n, classes)).toBe(f1(labels, r, { average }));
      }
      for (const average of ['macro', 'weighted', 'micro'] as const) {
        expect(stream(new AucMetric({ average }), yTrue, yPred, n, classes)).toBe(
          rocAuc(labels, r, { average }),
        );
      }
    }
  });

  it('multiclass precision, recall and F1 default to macro averaging', () => {
    const n = 60;
    const { labels, yPred, yTrue } = dataset(4, n, 3, false);
    const r = rows(yPred, 3);
    expect(stream(new F1Metric(), yTrue, yPred, n, 3)).toBe(f1(labels, r, { average: 'macro' }));
    expect(stream(new PrecisionMetric(), yTrue, yPred, n, 3)).toBe(
      precision(labels, r, { average: 'macro' }),
    );
    expect(f1(labels, r, { average: 'macro' })).not.toBe(f1(labels, r, { average: 'micro' }));
  });

  it('two softmax outputs are a binary problem scored by column 1', () => {
    const n = 64;
    const { labels, yPred, yTrue } = dataset(3, n, 2, false);
    const r = rows(yPred, 2);
    expect(stream(new AucMetric(), yTrue, yPred, n, 2)).toBe(rocAuc(labels, r));
    expect(stream(new F1Metric(), yTrue, yPred, n, 2)).toBe(f1(labels, r));
  });

  it('AUC of logits rows is the AUC of their softmax', () => {
    const rng = new Random(11);
    const n = 40;
    const logits = Float32Array.from({ length: n * 3 }, () => rng.normal() * 3);
    const labels = Array.from({ length: n }, (_, i) => i % 3);
    const softmax = rows(logits, 3).map((row) => {
      const e = row.map((v) => Math.exp(v - Math.max(...row)));
      const total = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / total);
    });
    const m = new AucMetric({ fromLogits: true });
    expect(stream(m, Float32Array.from(labels), logits, n, 3)).toBeCloseTo(rocAuc(labels, softmax), 12);
  });

  it('AUC keeps every earlier score when its buffer grows past 1,024: 1,500 scores in batches of 500', () => {
    const rng = new Random(17);
    const n = 1500;
    // Positives score higher on average; coarse steps keep ties across the batches.
    const labels = Array.from({ length: n }, () => rng.int(2));
    const scores = Float32Array.from(labels, (l) => Math.round((rng.normal() + l) * 16) / 16);
    const m = new AucMetric();
    for (let start = 0; start < n; start += 500) {
      m.update(
        host(labels.slice(start, start + 500), [500, 1]),
        host(scores.subarray(start, start + 500), [500, 1]),
      );
    }
    const expected = rocAuc(labels, Array.from(scores));
    expect(expected).toBeGreaterThan(0.6);
    expect(m.result()).toBeCloseTo(expected, 12);
  });

  it('epoch AUC is not the mean of batch AUCs', () => {
    // Batch 1 ranks perfectly, batch 2 perfectly, but batch 2's scores sit below batch 1's negatives.
    const m = new AucMetric();
    m.update(host([0, 1], [2, 1]), host([0.8, 0.9], [2, 1]));
    m.update(host([0, 1], [2, 1]), host([0.1, 0.2], [2, 1]));
    // pairs: 0.9>0.8, 0.9>0.1, 0.2>0.1, 0.2<0.8 -> 3/4 (a batch mean would say 1).
    expect(m.result()).toBe(0.75);
  });

  it('regression errors and R² over every element', () => {
    const rng = new Random(5);
    const n = 50;
    const yTrue = Float32Array.from({ length: n * 2 }, () => 100 + rng.normal());
    const yPred = Float32Array.from({ length: n * 2 }, (_, i) => yTrue[i] + 0.5 * rng.normal());
    expect(stream(new MeanSquaredErrorMetric(), yTrue, yPred, n, 2)).toBeCloseTo(
      meanSquaredError(yTrue, yPred),
      12,
    );
    expect(stream(new MeanAbsoluteErrorMetric(), yTrue, yPred, n, 2)).toBeCloseTo(
      meanAbsoluteError(yTrue, yPred),
      12,
    );
    // Targets near 100 with unit spread: a naive Σy² - (Σy)²/n would lose most digits here.
    expect(stream(new R2Metric(), yTrue, yPred, n, 2)).toBeCloseTo(r2(yTrue, yPred), 10);
  });
});

describe('compiled metric contract', () => {
  it('reset forgets earlier batches', () => {
    const m = new PrecisionMetric();
    m.update(host([1, 0], [2, 1]), host([0.9, 0.8], [2, 1]));
    expect(m.result()).toBe(0.5);
    m.reset();
    m.update(host([1], [1, 1]), host([0.9], [1, 1]));
    expect(m.result()).toBe(1);
  });

  it('throws MetricError rather than returning NaN', () => {
    expect(() => new F1Metric().result()).toThrow(/no samples since reset/);
    const auc = new AucMetric();
    auc.update(host([1, 1], [2, 1]), host([0.3, 0.4], [2, 1]));
    expect(() => auc.result()).toThrow(/only positive samples/);
    auc.reset();
    auc.update(host([1, 0], [2, 1]), host([0.3, Number.NaN], [2, 1]));
    expect(() => auc.result()).toThrow(/row 1 since reset is NaN/);
    const r = new R2Metric();
    r.update(host([1], [1, 1]), host([2], [1, 1]));
    expect(() => r.result()).toThrow(MetricError);
  });

  it('checks shapes, labels and output count', () => {
    const m = new PrecisionMetric({ average: 'macro' });
    expect(() => m.update(host([0, 1], [2]), host([0, 0, 0], [1, 3]))).toThrow(/do not fit predictions/);
    expect(() => m.update(host([0, 5], [2]), host(new Float32Array(6), [2, 3]))).toThrow(/label 5 at row 1/);
    m.reset();
    m.update(host([0, 2], [2]), host(new Float32Array(6), [2, 3]));
    expect(() => m.update(host([0], [1]), host([0, 0], [1, 2]))).toThrow(/earlier batches had 3/);
    expect(() =>
      new F1Metric({ average: 'binary' }).update(host([0], [1]), host(new Float32Array(3), [1, 3])),
    ).toThrow(/average 'binary' needs 2 classes/);
  });

  it('a single output reads soft targets as class 1 above 0.5', () => {
    const m = new RecallMetric();
    m.update(host([0.9, 0.2, 0.7], [3, 1]), host([0.8, 0.1, 0.3], [3, 1]));
    expect(m.result()).toBe(0.5);
  });
});
