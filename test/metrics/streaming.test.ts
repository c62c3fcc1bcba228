import { describe, expect, it } from 'vitest';
import { Random } from '../../src/graph/random';
import {
  AccuracyMetric,
  AucMetric,
  accuracy,
  createMetric,
  F1Metric,
  f1,
  type Metric,
  MetricError,
  meanAbsoluteError,
  meanSquaredError,
  PrecisionMetric,
  precision,
  RecallMetric,
  recall,
  rocAuc,
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

/** Feeds the data to a metric in uneven batches and returns its result. */
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
    metric.update(
      yTrue.subarray(start * perSample, end * perSample),
      yPred.subarray(start * classes, end * classes),
      { batch: end - start, classes },
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

describe('streaming metrics equal the one-shot functions', () => {
  it('single sigmoid output (binary)', () => {
    const n = 90;
    const { labels, yPred, yTrue } = dataset(1, n, 1, false);
    const predicted = Array.from(yPred, (s) => (s > 0.5 ? 1 : 0));
    expect(stream(new AccuracyMetric(), yTrue, yPred, n, 1)).toBe(accuracy(labels, yPred));
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
      expect(stream(new AccuracyMetric(), yTrue, yPred, n, classes)).toBe(accuracy(labels, r));
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

  it('two softmax outputs are a binary problem scored by column 1', () => {
    const n = 64;
    const { labels, yPred, yTrue } = dataset(3, n, 2, false);
    const r = rows(yPred, 2);
    expect(stream(new AucMetric(), yTrue, yPred, n, 2)).toBe(rocAuc(labels, r));
    expect(stream(new F1Metric(), yTrue, yPred, n, 2)).toBe(f1(labels, r));
  });

  it('epoch AUC is not the mean of batch AUCs', () => {
    // Batch 1 ranks perfectly, batch 2 perfectly, but batch 2's scores sit below batch 1's negatives.
    const m = new AucMetric();
    m.update(new Float32Array([0, 1]), new Float32Array([0.8, 0.9]), { batch: 2, classes: 1 });
    m.update(new Float32Array([0, 1]), new Float32Array([0.1, 0.2]), { batch: 2, classes: 1 });
    // pairs: 0.9>0.8, 0.9>0.1, 0.2>0.1, 0.2<0.8 -> 3/4 (a batch mean would say 1).
    expect(m.result()).toBe(0.75);
  });

  it('regression errors over every element', () => {
    const rng = new Random(5);
    const n = 50;
    const yTrue = Float32Array.from({ length: n * 2 }, () => rng.normal());
    const yPred = Float32Array.from({ length: n * 2 }, () => rng.normal());
    expect(stream(createMetric('mse'), yTrue, yPred, n, 2)).toBeCloseTo(meanSquaredError(yTrue, yPred), 12);
    expect(stream(createMetric('mae'), yTrue, yPred, n, 2)).toBeCloseTo(meanAbsoluteError(yTrue, yPred), 12);
  });
});

describe('streaming metric contract', () => {
  it('reset forgets earlier batches', () => {
    const m = new AccuracyMetric();
    m.update(new Float32Array([1, 1]), new Float32Array([0.1, 0.2]), { batch: 2, classes: 1 });
    expect(m.result()).toBe(0);
    m.reset();
    m.update(new Float32Array([1]), new Float32Array([0.9]), { batch: 1, classes: 1 });
    expect(m.result()).toBe(1);
  });

  it('throws MetricError rather than returning NaN', () => {
    expect(() => new AccuracyMetric().result()).toThrow(/no samples since reset/);
    const auc = new AucMetric();
    auc.update(new Float32Array([1, 1]), new Float32Array([0.3, 0.4]), { batch: 2, classes: 1 });
    expect(() => auc.result()).toThrow(/only positive samples/);
    expect(() =>
      new AccuracyMetric().update(new Float32Array([1]), new Float32Array([Number.NaN]), {
        batch: 1,
        classes: 1,
      }),
    ).toThrow(/non-finite output/);
  });

  it('checks shapes, labels, class count and multiclass averaging at the first batch', () => {
    const m = new PrecisionMetric({ average: 'macro' });
    expect(() => m.update(new Float32Array(2), new Float32Array(3), { batch: 2, classes: 2 })).toThrow(
      /yPred has 3 values/,
    );
    expect(() => m.update(new Float32Array([0, 5]), new Float32Array(6), { batch: 2, classes: 3 })).toThrow(
      /yTrue\[1\] is 5/,
    );
    m.reset();
    m.update(new Float32Array([0, 2]), new Float32Array(6), { batch: 2, classes: 3 });
    expect(() => m.update(new Float32Array([0]), new Float32Array(2), { batch: 1, classes: 2 })).toThrow(
      /earlier batches had 3/,
    );
    expect(() =>
      new F1Metric().update(new Float32Array([0]), new Float32Array(3), { batch: 1, classes: 3 }),
    ).toThrow(/explicit average/);
  });

  it('createMetric uses the given name as the log name and rejects unknown names', () => {
    expect(createMetric('acc').name).toBe('acc');
    expect(createMetric('auc').name).toBe('auc');
    expect(() => createMetric('top5')).toThrow(MetricError);
  });
});
