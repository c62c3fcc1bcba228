import { describe, expect, it } from 'vitest';
import { MetricError, meanAbsoluteError, meanSquaredError, r2 } from '../../src/nn/metrics/index';

describe('regression metrics', () => {
  // The scikit-learn documentation example: mse 0.375, mae 0.5, r2 0.948608137...
  const yTrue = [3, -0.5, 2, 7];
  const yPred = [2.5, 0.0, 2, 8];

  it('match the scikit-learn documentation values', () => {
    expect(meanSquaredError(yTrue, yPred)).toBe(0.375);
    expect(meanAbsoluteError(yTrue, yPred)).toBe(0.5);
    // By hand: SS_res = 1.5, mean 2.875, SS_tot = 29.1875.
    expect(r2(yTrue, yPred)).toBeCloseTo(1 - 1.5 / 29.1875, 15);
    expect(r2(yTrue, yPred)).toBeCloseTo(0.9486081370449679, 15);
  });

  it('accept Float32Array', () => {
    expect(meanSquaredError(new Float32Array(yTrue), new Float32Array(yPred))).toBe(0.375);
  });

  it('r2 of a constant target is 1 when perfect and 0 otherwise (scikit-learn force_finite)', () => {
    expect(r2([2, 2, 2], [2, 2, 2])).toBe(1);
    expect(r2([2, 2, 2], [2, 2, 3])).toBe(0);
    expect(r2([1, 2, 3], [3, 2, 1])).toBe(-3); // worse than the mean: negative, not clipped
  });

  it('throw MetricError on empty, one-sample R², unequal lengths and non-finite values', () => {
    expect(() => meanSquaredError([], [])).toThrow(MetricError);
    expect(() => r2([1], [1])).toThrow(/at least 2/);
    expect(() => meanAbsoluteError([1, 2], [1])).toThrow(/yTrue has 2 samples but yPred has 1/);
    expect(() => meanSquaredError([1, Number.POSITIVE_INFINITY], [1, 2])).toThrow(/yTrue\[1\] is Infinity/);
  });
});
