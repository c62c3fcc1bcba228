/** Normwise relative error max|a - e| / max|e| (a NaN where the expected value is not counts as infinite). */
export function normwise(actual: Float32Array, expected: Float32Array): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    const same = Object.is(actual[i], expected[i]);
    worst = Number.isNaN(d) && !same ? Number.POSITIVE_INFINITY : Math.max(worst, same ? 0 : d);
    if (Number.isFinite(expected[i])) scale = Math.max(scale, Math.abs(expected[i]));
  }
  return worst / Math.max(scale, 1e-30);
}
