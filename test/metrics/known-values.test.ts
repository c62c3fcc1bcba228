/**
 * Compiled metrics against values worked out by hand, through evaluate on the CPU and on WebGPU. The
 * model passes its input through unchanged (a Dense layer with an identity kernel), so the scores
 * it is evaluated on are the ones written below.
 */
import { expect, it } from 'vitest';
import { tensor } from '../../src/graph/engine';
import { Dense, type LossSpec, type Metric, metrics, Sequential, SGD } from '../../src/index';
import { describeOnBackends } from '../on-backends';

/**
 * Dense(k) without bias whose kernel is the k x k identity, compiled with `loss` and `metrics`. Its
 * learning rate is so small that training leaves every output as it was in f32, so fit's training
 * logs (the planned step's metric path on WebGPU) must give the same known values as evaluate.
 */
function identityModel(k: number, loss: LossSpec, metricNames: (string | Metric)[]): Sequential {
  const model = new Sequential([new Dense({ units: k, useBias: false, inputShape: [k] })]);
  const eye = Array.from({ length: k * k }, (_, i) => (Math.floor(i / k) === i % k ? 1 : 0));
  model.setWeights([tensor(eye, [k, k])]);
  model.compile({ optimizer: new SGD({ learningRate: 1e-30 }), loss, metrics: metricNames });
  return model;
}

function expectLogs(logs: Record<string, number>, expected: Record<string, number>, digits = 6): void {
  expect(Object.keys(logs).sort()).toEqual(Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected)) expect(logs[key], key).toBeCloseTo(value, digits);
}

/** evaluate's logs and the logs of one epoch of fit on the same data must both be `expected`. */
async function expectEvaluated(
  model: Sequential,
  x: number[][],
  y: number[] | number[][],
  expected: Record<string, number>,
): Promise<void> {
  expectLogs(await model.evaluate(x, y, { batchSize: 4, returnDict: true }), expected);
  const { history } = await model.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false });
  expectLogs(Object.fromEntries(Object.entries(history).map(([k, v]) => [k, v[0]])), expected);
}

describeOnBackends('compiled metrics on known scores', () => {
  it('binary: accuracy, precision, recall, F1, AUC and the loss of one sigmoid output', async () => {
    // Above 0.5 predicts 1: [1, 1, 0, 1, 0, 1] against [1, 1, 1, 0, 0, 0] is TP 2, FN 1, FP 2, TN 1.
    const scores = [0.9, 0.8, 0.3, 0.6, 0.2, 0.7];
    const labels = [1, 1, 1, 0, 0, 0];
    const model = identityModel(1, 'binaryCrossentropy', ['accuracy', 'precision', 'recall', 'f1', 'auc']);
    const bce = -[0.9, 0.8, 0.3, 0.4, 0.8, 0.3].reduce((a, p) => a + Math.log(p), 0) / 6;
    await expectEvaluated(
      model,
      scores.map((s) => [s]),
      labels.map((l) => [l]),
      {
        loss: bce,
        accuracy: 3 / 6,
        precision: 2 / 4,
        recall: 2 / 3,
        f1: (2 * 2) / (2 * 2 + 2 + 1),
        // Positive-negative pairs ranked right: 0.9 and 0.8 above all three negatives, 0.3 above 0.2.
        auc: 7 / 9,
      },
    );
  });

  it('three classes: accuracy, macro precision/recall/F1, macro one-vs-rest AUC, confusion matrix', async () => {
    const rows = [
      [0.7, 0.2, 0.1],
      [0.1, 0.6, 0.3],
      [0.2, 0.5, 0.3],
      [0.3, 0.3, 0.4],
      [0.5, 0.4, 0.1],
      [0.1, 0.1, 0.8],
    ];
    const labels = [0, 1, 2, 2, 1, 1];
    const model = identityModel(3, 'sparseCategoricalCrossentropy', [
      'accuracy',
      'precision',
      'recall',
      'f1',
      'auc',
    ]);
    // Predicted (argmax) [0, 1, 1, 2, 0, 2]; rows true, columns predicted: [1 0 0; 1 1 1; 0 1 1].
    const predicted = await (await model.predict(rows)).array();
    expect(metrics.confusionMatrix(labels, predicted as number[][], 3)).toEqual([
      [1, 0, 0],
      [1, 1, 1],
      [0, 1, 1],
    ]);
    // Per class precision 1/2, 1/2, 1/2; recall 1, 1/3, 1/2; F1 2/3, 2/5, 1/2.
    // AUC one-vs-rest: class 0 1 (0.7 above all), class 1 5/9 (0.6 above 3 negatives, 0.4 above 2),
    // class 2 5.5/8 (0.4 above all 4 negatives, 0.3 above two 0.1s and tied with one 0.3).
    const logP = [0.7, 0.6, 0.3, 0.4, 0.4, 0.1].reduce((a, p) => a + Math.log(p), 0);
    await expectEvaluated(model, rows, labels, {
      loss: -logP / 6,
      accuracy: 3 / 6,
      precision: 1 / 2,
      recall: (1 + 1 / 3 + 1 / 2) / 3,
      f1: (2 / 3 + 2 / 5 + 1 / 2) / 3,
      auc: (1 + 5 / 9 + 5.5 / 8) / 3,
    });
  });

  it('regression: MSE, MAE and R2', async () => {
    // Predictions [1, 2, 3, 4] for targets [1.5, 2, 2, 5]: errors -0.5, 0, 1, -1.
    // Squares 2.25 in all; the targets' mean is 2.625 and their squared deviations 7.6875 = 123/16.
    const model = identityModel(1, 'meanSquaredError', ['mse', 'mae', 'r2']);
    await expectEvaluated(model, [[1], [2], [3], [4]], [[1.5], [2], [2], [5]], {
      loss: 2.25 / 4,
      mse: 2.25 / 4,
      mae: 2.5 / 4,
      r2: 1 - 36 / 123,
    });
  });
});
