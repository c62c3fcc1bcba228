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
    expect(e.roc.labels).toEqual(['yes (AUC 1.000)', 'chance']);
    expect(e.roc.data[1][0]).toBe(1); // TPR 1 already at FPR 0
    // The chance diagonal is y = x, dashed.
    expect(e.roc.data[2]).toEqual(e.roc.data[0]);
    expect(e.roc.dashed).toEqual([false, true]);
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
    expect(e.roc.labels.map((l) => l.split(' ')[0])).toEqual(['a', 'b', 'chance']);
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

  test('ranking curves: AUC and AP per class against scikit-learn, the PR baseline at the positive rate', () => {
    // sklearn: roc_auc_score([0,0,1,1,0,1], [.1,.4,.35,.8,.2,.9]) = 0.8888..., average_precision_score = 0.9166...
    const yTrue = new Float32Array([0, 0, 1, 1, 0, 1]);
    const p1 = [0.1, 0.4, 0.35, 0.8, 0.2, 0.9];
    const probs = Float32Array.from(p1.flatMap((p) => [1 - p, p]));
    const e = evaluateClassification(['neg', 'pos'], yTrue, probs);
    if (e.task !== 'classification') throw new Error('expected classification');
    const [stats] = e.curveStats;
    expect(stats.className).toBe('pos');
    expect(stats.auc).toBeCloseTo(8 / 9, 6);
    expect(stats.ap).toBeCloseTo(11 / 12, 6);
    expect(stats.positiveRate).toBe(0.5);
    expect(e.pr.labels).toEqual(['pos (AP 0.917)', 'pos baseline 0.500']);
    expect(e.pr.data[2].every((v) => v === 0.5)).toBe(true);
    expect(e.pr.dashed).toEqual([false, true]);
    // The baseline takes its class's colour.
    expect(e.pr.colorIndex).toEqual([0, 0]);
  });
});
