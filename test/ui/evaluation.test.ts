import { describe, expect, test } from 'vitest';
import { evaluateClassification, evaluateRegression } from '../../src/ui/state/evaluation';

describe('evaluation view data', () => {
  test('binary classification: metrics, confusion matrix and a perfect ROC curve', () => {
    const yTrue = new Float32Array([0, 0, 1, 1]);
    const probs = new Float32Array([0.9, 0.1, 0.8, 0.2, 0.3, 0.7, 0.1, 0.9]);
    const e = evaluateClassification(['no', 'yes'], yTrue, probs);
    if (e.task !== 'classification') throw new Error('expected classification');
    expect(e.rows.map((r) => [r.name, r.value])).toEqual([
      ['accuracy', 1],
      ['precision (binary)', 1],
      ['recall (binary)', 1],
      ['F1 (binary)', 1],
      ['ROC AUC', 1],
    ]);
    expect(e.confusion).toEqual([
      [2, 0],
      [0, 2],
    ]);
    expect(e.roc.labels).toEqual(['yes']);
    expect(e.roc.data[1][0]).toBe(1); // TPR 1 already at FPR 0
  });

  test('multiclass: macro averages, one ROC curve per class, and an undefined metric explained, not NaN', () => {
    // Class 2 never occurs in the test labels.
    const yTrue = new Float32Array([0, 1, 0, 1]);
    const probs = new Float32Array([0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.3, 0.6, 0.1, 0.6, 0.3, 0.1]);
    const e = evaluateClassification(['a', 'b', 'c'], yTrue, probs);
    if (e.task !== 'classification') throw new Error('expected classification');
    // Rows 3 and 4 put their highest probability on the wrong class.
    expect(e.rows[0]).toEqual({ name: 'accuracy', value: 0.5 });
    const auc = e.rows.find((r) => r.name.startsWith('ROC AUC'))!;
    expect(auc.value).toBeNull();
    expect(auc.note).toMatch(/2/);
    expect(e.roc.labels).toEqual(['a', 'b']);
    expect(e.confusion).toEqual([
      [1, 1, 0],
      [1, 1, 0],
      [0, 0, 0],
    ]);
  });

  test('regression: errors and R²', () => {
    const e = evaluateRegression(new Float32Array([1, 2, 3]), new Float32Array([1, 2, 5]));
    // SS_res = 4, SS_tot = 2, so R² = 1 - 4/2.
    const [mse, mae, r2] = e.rows.map((r) => r.value!);
    expect(mse).toBeCloseTo(4 / 3, 12);
    expect(mae).toBeCloseTo(2 / 3, 12);
    expect(r2).toBeCloseTo(-1, 12);
  });
});
