import { describe, expect, it } from 'vitest';
import {
  accuracy,
  binaryAccuracy,
  categoricalAccuracy,
  confusionMatrix,
  f1,
  MetricError,
  precision,
  recall,
  sparseCategoricalAccuracy,
} from '../../src/nn/metrics/index';

describe('accuracy', () => {
  it('binary: a score strictly above the threshold predicts 1', () => {
    // preds at 0.5: [0, 0, 1, 1] (0.5 is not above 0.5) -> right at 0 and 2.
    expect(binaryAccuracy([0, 1, 1, 0], [0.2, 0.5, 0.7, 0.6])).toBe(0.5);
    expect(binaryAccuracy([0, 1, 1, 0], [0.2, 0.5, 0.7, 0.6], { threshold: 0.4 })).toBe(0.75);
    expect(accuracy([0, 1, 1, 0], new Float32Array([0.2, 0.5, 0.7, 0.6]))).toBe(0.5);
  });

  it('categorical and sparse match the Keras documentation example (0.5)', () => {
    const yPred = [
      [0.1, 0.9, 0.8],
      [0.05, 0.95, 0],
    ];
    expect(
      categoricalAccuracy(
        [
          [0, 0, 1],
          [0, 1, 0],
        ],
        yPred,
      ),
    ).toBe(0.5);
    expect(sparseCategoricalAccuracy([2, 1], yPred)).toBe(0.5);
    expect(
      accuracy(
        [
          [0, 0, 1],
          [0, 1, 0],
        ],
        yPred,
      ),
    ).toBe(0.5);
    expect(accuracy([2, 1], yPred)).toBe(0.5);
    // The same data flat, with numClasses.
    const flat = new Float32Array([0.1, 0.9, 0.8, 0.05, 0.95, 0]);
    expect(accuracy([2, 1], flat, { numClasses: 3 })).toBe(0.5);
    expect(accuracy([0, 0, 1, 0, 1, 0], flat, { numClasses: 3 })).toBe(0.5);
  });

  it('argmax ties go to the first index', () => {
    expect(
      sparseCategoricalAccuracy(
        [0, 1],
        [
          [0.5, 0.5],
          [0.5, 0.5],
        ],
      ),
    ).toBe(0.5);
  });

  it('rejects empty input, labels out of range and NaN scores with MetricError', () => {
    expect(() => binaryAccuracy([], [])).toThrow(MetricError);
    expect(() => binaryAccuracy([0, 2], [0.1, 0.2])).toThrow(/yTrue\[1\] is 2/);
    expect(() => binaryAccuracy([0, 1], [0.1, Number.NaN])).toThrow(/yPred\[1\] is NaN/);
    expect(() => sparseCategoricalAccuracy([3], [[0.1, 0.2, 0.7]])).toThrow(/\[0, 3\)/);
    expect(() => accuracy([1, 2, 3], [[0.1, 0.9]])).toThrow(MetricError);
  });
});

describe('precision, recall, f1 (binary)', () => {
  // tp = 3 (1, 4, 5), fp = 2 (0, 6), fn = 1 (2), tn = 2 (3, 7).
  const yTrue = [0, 1, 1, 0, 1, 1, 0, 0];
  const yPred = [1, 1, 0, 0, 1, 1, 1, 0];

  it('follows tp/(tp+fp), tp/(tp+fn), 2tp/(2tp+fp+fn)', () => {
    expect(precision(yTrue, yPred)).toBeCloseTo(3 / 5, 15);
    expect(recall(yTrue, yPred)).toBeCloseTo(3 / 4, 15);
    expect(f1(yTrue, yPred)).toBeCloseTo(6 / 9, 15);
  });

  it('posLabel 0 scores the other class', () => {
    // class 0: true at 0,3,6,7; predicted at 2,3,7; tp = 2.
    expect(precision(yTrue, yPred, { posLabel: 0 })).toBeCloseTo(2 / 3, 15);
    expect(recall(yTrue, yPred, { posLabel: 0 })).toBeCloseTo(2 / 4, 15);
    expect(f1(yTrue, yPred, { posLabel: 0 })).toBeCloseTo(4 / 7, 15);
  });

  it('F1 is the harmonic mean of precision and recall', () => {
    const p = precision(yTrue, yPred);
    const r = recall(yTrue, yPred);
    expect(f1(yTrue, yPred)).toBeCloseTo((2 * p * r) / (p + r), 14);
  });

  it('score rows are reduced by argmax', () => {
    const rows = yPred.map((v) => (v === 1 ? [0.3, 0.7] : [0.8, 0.2]));
    expect(precision(yTrue, rows)).toBeCloseTo(3 / 5, 15);
  });

  it('zero division gives zeroDivision (default 0) or throws when asked', () => {
    // Nothing predicted positive: precision 0/0.
    expect(precision([0, 1], [0, 0])).toBe(0);
    expect(precision([0, 1], [0, 0], { zeroDivision: 1 })).toBe(1);
    expect(() => precision([0, 1], [0, 0], { zeroDivision: 'error' })).toThrow(
      /predicted positives for class 1/,
    );
    // No actual positives: recall 0/0; F1 with tp + fp + fn = 0.
    expect(recall([0, 0], [0, 0])).toBe(0);
    expect(f1([0, 0], [0, 0], { zeroDivision: 1 })).toBe(1);
    expect(() => precision([], [])).toThrow(MetricError);
  });
});

describe('multiclass averaging', () => {
  it('matches the scikit-learn precision_score/recall_score/f1_score doc example', () => {
    // Documented results: precision macro 0.22, micro 0.33, weighted 0.22; recall 0.33 for all;
    // f1 macro 0.267, micro 0.33, weighted 0.267. By hand: class 0 p=2/3 r=1 f1=0.8, others 0.
    const yTrue = [0, 1, 2, 0, 1, 2];
    const yPred = [0, 2, 1, 0, 0, 1];
    expect(precision(yTrue, yPred, { average: 'macro' })).toBeCloseTo(2 / 9, 15);
    expect(precision(yTrue, yPred, { average: 'micro' })).toBeCloseTo(1 / 3, 15);
    expect(precision(yTrue, yPred, { average: 'weighted' })).toBeCloseTo(2 / 9, 15);
    expect(recall(yTrue, yPred, { average: 'macro' })).toBeCloseTo(1 / 3, 15);
    expect(f1(yTrue, yPred, { average: 'macro' })).toBeCloseTo(0.8 / 3, 15);
    expect(f1(yTrue, yPred, { average: 'micro' })).toBeCloseTo(1 / 3, 15);
  });

  it('weighted uses the support of each class', () => {
    // class 0: p=2/3 r=2/3 (support 3); class 1: p=1/2 r=1 (support 1); class 2: p=1 r=1/2 (support 2).
    const yTrue = [0, 0, 0, 1, 2, 2];
    const yPred = [0, 0, 1, 1, 2, 0];
    expect(precision(yTrue, yPred, { average: 'weighted' })).toBeCloseTo((3 * (2 / 3) + 0.5 + 2) / 6, 15);
    expect(precision(yTrue, yPred, { average: 'macro' })).toBeCloseTo(13 / 18, 15);
    expect(recall(yTrue, yPred, { average: 'weighted' })).toBeCloseTo(4 / 6, 15);
    expect(f1(yTrue, yPred, { average: 'weighted' })).toBeCloseTo(2 / 3, 15);
    expect(f1(yTrue, yPred, { average: 'macro' })).toBeCloseTo(2 / 3, 15);
  });

  it('micro precision, recall and F1 all equal accuracy for single-label data', () => {
    const yTrue = [0, 1, 2, 3, 3, 2, 1, 0, 2];
    const yPred = [0, 2, 2, 3, 1, 2, 1, 3, 0];
    const acc = 5 / 9;
    for (const fn of [precision, recall, f1])
      expect(fn(yTrue, yPred, { average: 'micro' })).toBeCloseTo(acc, 15);
  });

  it('a class present in neither array counts 0 in macro, and numClasses makes it count', () => {
    const yTrue = [0, 1, 0, 1];
    const yPred = [0, 1, 1, 1];
    const two = precision(yTrue, yPred, { average: 'macro' }); // (1 + 2/3) / 2
    expect(two).toBeCloseTo(5 / 6, 15);
    expect(precision(yTrue, yPred, { average: 'macro', numClasses: 3 })).toBeCloseTo(5 / 9, 15);
  });

  it('refuses a missing or binary average for more than two classes', () => {
    expect(() => precision([0, 1, 2], [0, 1, 2])).toThrow(/3 classes need an explicit average/);
    expect(() => f1([0, 1, 2], [0, 1, 2], { average: 'binary' })).toThrow(/needs 2 classes/);
  });
});

describe('confusionMatrix', () => {
  it('matches the scikit-learn doc example (rows true, columns predicted)', () => {
    expect(confusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2], 3)).toEqual([
      [2, 0, 0],
      [0, 0, 1],
      [1, 0, 2],
    ]);
  });

  it('takes score rows and rejects out-of-range labels', () => {
    expect(
      confusionMatrix(
        [0, 1],
        [
          [0.9, 0.1],
          [0.6, 0.4],
        ],
        2,
      ),
    ).toEqual([
      [1, 0],
      [1, 0],
    ]);
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/yTrue\[1\] is 3/);
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow(/yTrue has 2 samples but yPred has 1/);
  });
});

describe('public entry', () => {
  it('exposes the functions as the metrics namespace', async () => {
    const { metrics } = await import('../../src/index');
    expect(metrics.f1([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], { average: 'micro' })).toBeCloseTo(1 / 3, 15);
    expect(new metrics.AucMetric().name).toBe('auc');
  });
});
