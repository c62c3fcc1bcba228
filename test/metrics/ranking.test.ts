import { describe, expect, it } from 'vitest';
import { Random } from '../../src/graph/random';
import { MetricError, precisionRecallCurve, rocAuc, rocCurve } from '../../src/nn/metrics/index';

/** Independent reference: the Mann-Whitney statistic by counting every (positive, negative) pair. */
function pairwiseAuc(positive: boolean[], scores: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!positive[i]) continue;
    for (let j = 0; j < scores.length; j++) {
      if (positive[j]) continue;
      pairs++;
      if (scores[i] > scores[j]) wins += 1;
      else if (scores[i] === scores[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}

function randomProblem(seed: number, n: number, levels: number) {
  const rng = new Random(seed);
  const yTrue = Array.from({ length: n }, () => rng.int(2));
  yTrue[0] = 0;
  yTrue[1] = 1;
  // Few score levels force many ties.
  const scores = Array.from({ length: n }, () => rng.int(levels) / levels);
  return { yTrue, scores };
}

describe('rocAuc (binary)', () => {
  it('matches the scikit-learn roc_auc_score doc example (0.75)', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
  });

  it('counts ties half, as the trapezoid rule on the ROC curve does', () => {
    // pairs (pos, neg): (0.5, 0.5) half, the other three wins -> 3.5 / 4.
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(0.875);
    expect(rocAuc([0, 1, 0, 1, 1], [0.3, 0.3, 0.3, 0.3, 0.3])).toBe(0.5);
  });

  it('equals the pairwise Mann-Whitney count on random data with heavy ties', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { yTrue, scores } = randomProblem(seed, 60, 5);
      expect(rocAuc(yTrue, scores)).toBeCloseTo(
        pairwiseAuc(
          yTrue.map((v) => v === 1),
          scores,
        ),
        12,
      );
    }
  });

  it('is invariant to a strictly increasing transform and flips under negation', () => {
    const { yTrue, scores } = randomProblem(7, 80, 9);
    const auc = rocAuc(yTrue, scores);
    expect(
      rocAuc(
        yTrue,
        scores.map((s) => Math.exp(3 * s) - 10),
      ),
    ).toBe(auc);
    expect(
      rocAuc(
        yTrue,
        scores.map((s) => -s),
      ),
    ).toBeCloseTo(1 - auc, 12);
  });

  it('reads two-column rows by posLabel, and posLabel 0 is the mirrored problem', () => {
    const yTrue = [0, 0, 1, 1];
    const p1 = [0.1, 0.4, 0.35, 0.8];
    const rows = p1.map((p) => [1 - p, p]);
    expect(rocAuc(yTrue, rows)).toBeCloseTo(0.75, 15);
    expect(rocAuc(yTrue, rows, { posLabel: 0 })).toBeCloseTo(0.75, 15);
    expect(rocAuc(yTrue, new Float32Array(rows.flat()), { numClasses: 2 })).toBeCloseTo(0.75, 7);
  });

  it('throws MetricError when one class is absent, on empty and on NaN input', () => {
    expect(() => rocAuc([1, 1, 1], [0.1, 0.2, 0.3])).toThrow(/only positive samples/);
    expect(() => rocAuc([0, 0], [0.1, 0.2])).toThrow(MetricError);
    expect(() => rocAuc([], [])).toThrow(MetricError);
    expect(() => rocAuc([0, 1], [0.1, Number.NaN])).toThrow(/yScore\[1\] is NaN/);
    expect(() => rocAuc([0, 1], [0.1])).toThrow(/2 samples but yPred has 1/);
  });
});

describe('rocAuc (multiclass, one-vs-rest)', () => {
  const yTrue = [0, 1, 2, 0, 1, 2];
  const rows = [
    [0.6, 0.3, 0.1],
    [0.2, 0.5, 0.3],
    [0.1, 0.3, 0.6],
    [0.3, 0.4, 0.3],
    [0.5, 0.3, 0.2],
    [0.2, 0.5, 0.3],
  ];

  it('macro is the mean of per-class AUCs worked by hand (7/8, 4.5/8, 7/8)', () => {
    const expected = (0.875 + 0.5625 + 0.875) / 3;
    expect(rocAuc(yTrue, rows)).toBeCloseTo(expected, 15);
    expect(rocAuc(yTrue, rows, { average: 'macro' })).toBeCloseTo(expected, 15);
    expect(rocAuc(yTrue, new Float64Array(rows.flat()), { numClasses: 3 })).toBeCloseTo(expected, 15);
    // Equal supports: weighted equals macro here.
    expect(rocAuc(yTrue, rows, { average: 'weighted' })).toBeCloseTo(expected, 15);
  });

  it('weighted weights by support and micro pools all pairs (pairwise reference)', () => {
    const rng = new Random(11);
    const k = 4;
    const n = 50;
    const labels = Array.from({ length: n }, (_, i) => (i < k ? i : rng.int(k) === 3 ? 3 : rng.int(2)));
    const scores = Array.from({ length: n }, () => Array.from({ length: k }, () => rng.int(6) / 6));
    let weighted = 0;
    let macro = 0;
    for (let c = 0; c < k; c++) {
      const auc = pairwiseAuc(
        labels.map((l) => l === c),
        scores.map((r) => r[c]),
      );
      const support = labels.filter((l) => l === c).length;
      weighted += (auc * support) / n;
      macro += auc / k;
    }
    const micro = pairwiseAuc(
      labels.flatMap((l) => Array.from({ length: k }, (_, c) => c === l)),
      scores.flat(),
    );
    expect(Math.abs(weighted - macro)).toBeGreaterThan(1e-3); // the supports really differ
    expect(rocAuc(labels, scores, { average: 'weighted' })).toBeCloseTo(weighted, 12);
    expect(rocAuc(labels, scores, { average: 'macro' })).toBeCloseTo(macro, 12);
    expect(rocAuc(labels, scores, { average: 'micro' })).toBeCloseTo(micro, 12);
  });

  it('names the class that has no positive sample', () => {
    expect(() => rocAuc([0, 1, 0, 1], rows.slice(0, 4))).toThrow(/for class 2 \(one-vs-rest\)/);
  });
});

describe('curves', () => {
  const yTrue = [0, 0, 1, 1];
  const scores = [0.1, 0.4, 0.35, 0.8];

  it('rocCurve matches the scikit-learn roc_curve doc example', () => {
    expect(rocCurve(yTrue, scores)).toEqual({
      fpr: [0, 0, 0.5, 0.5, 1],
      tpr: [0, 0.5, 0.5, 1, 1],
      thresholds: [Number.POSITIVE_INFINITY, 0.8, 0.4, 0.35, 0.1],
    });
  });

  it('precisionRecallCurve matches the scikit-learn doc example in decreasing-threshold order', () => {
    // scikit-learn: precision [0.5, 0.667, 0.5, 1, 1], recall [1, 1, 0.5, 0.5, 0], thresholds
    // [0.1, 0.35, 0.4, 0.8] (increasing, end point without threshold). Reversed here.
    const c = precisionRecallCurve(yTrue, scores);
    expect(c.thresholds).toEqual([Number.POSITIVE_INFINITY, 0.8, 0.4, 0.35, 0.1]);
    expect(c.recall).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(c.precision.map((p) => Number(p.toFixed(12)))).toEqual([
      1,
      1,
      0.5,
      Number((2 / 3).toFixed(12)),
      0.5,
    ]);
  });

  it('groups tied scores into one point and its trapezoid area equals rocAuc', () => {
    const { yTrue: t, scores: s } = randomProblem(3, 40, 4);
    const c = rocCurve(t, s);
    expect(c.thresholds.length).toBe(new Set(s).size + 1);
    let area = 0;
    for (let i = 1; i < c.fpr.length; i++)
      area += ((c.fpr[i] - c.fpr[i - 1]) * (c.tpr[i] + c.tpr[i - 1])) / 2;
    expect(area).toBeCloseTo(rocAuc(t, s), 12);
  });

  it('throws MetricError when a rate is undefined', () => {
    expect(() => rocCurve([1, 1], [0.2, 0.3])).toThrow(MetricError);
    expect(() => precisionRecallCurve([0, 0], [0.2, 0.3])).toThrow(/no positive samples/);
    // Precision-recall needs positives only.
    expect(precisionRecallCurve([1, 1], [0.2, 0.3]).precision).toEqual([1, 1, 1]);
  });
});
