/** Regression metrics on flat arrays of targets and predictions. */
import { checkSameLength, toValues, type Values } from './inputs';
import { MetricError } from './metric-error';

function pairs(fn: string, yTrue: Values, yPred: Values) {
  const t = toValues(fn, 'yTrue', yTrue);
  const p = toValues(fn, 'yPred', yPred);
  checkSameLength(fn, t.length, p.length);
  return { t, p };
}

/** Mean of (yTrue - yPred)². Throws MetricError on empty, unequal-length or non-finite input. */
export function meanSquaredError(yTrue: Values, yPred: Values): number {
  const { t, p } = pairs('meanSquaredError', yTrue, yPred);
  let sum = 0;
  for (let i = 0; i < t.length; i++) sum += (t[i] - p[i]) ** 2;
  return sum / t.length;
}

/** Mean of |yTrue - yPred|. Throws MetricError on empty, unequal-length or non-finite input. */
export function meanAbsoluteError(yTrue: Values, yPred: Values): number {
  const { t, p } = pairs('meanAbsoluteError', yTrue, yPred);
  let sum = 0;
  for (let i = 0; i < t.length; i++) sum += Math.abs(t[i] - p[i]);
  return sum / t.length;
}

/**
 * Coefficient of determination 1 - SS_res / SS_tot. When yTrue is constant (SS_tot = 0) it is 1
 * for a perfect prediction and 0 otherwise, as scikit-learn's `r2_score` (force_finite=True).
 * Throws MetricError for fewer than two samples, where scikit-learn returns NaN.
 */
export function r2(yTrue: Values, yPred: Values): number {
  const fn = 'r2';
  const { t, p } = pairs(fn, yTrue, yPred);
  if (t.length < 2) throw new MetricError(`${fn}: got ${t.length} sample; R² needs at least 2`);
  let mean = 0;
  for (let i = 0; i < t.length; i++) mean += t[i];
  mean /= t.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < t.length; i++) {
    ssRes += (t[i] - p[i]) ** 2;
    ssTot += (t[i] - mean) ** 2;
  }
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}
