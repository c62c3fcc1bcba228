/**
 * foldPreprocessing: the exported ONNX model takes raw numeric columns (and one-hot columns as
 * encoded) and returns a regression target in its own units; ONNX Runtime on the raw rows must
 * match predict on the encoded rows, mapped back with preprocessor.targetValue.
 */
import { describe, expect, it } from 'vitest';
import { exportOnnx } from '../../src/export/onnx';
import { Dense, decodeOnnxModel, prepareDataset, Random, Sequential, tableFromRows } from '../../src/index';
import { runOnnx } from './ort';

function rows(n: number) {
  const rng = new Random(3);
  const colors = ['red', 'green', 'blue'];
  return Array.from({ length: n }, () => {
    const size = 50 + 20 * rng.normal();
    const weight = 3 + rng.normal();
    const color = colors[rng.int(3)];
    const price = 1000 + 8 * size - 30 * weight + (color === 'red' ? 200 : 0) + 10 * rng.normal();
    return [size, weight, color, price] as [number, number, string, number];
  });
}

describe('ONNX export with the standardisation folded in', () => {
  it('takes raw columns and returns the target in its units', async () => {
    const table = tableFromRows(['size', 'weight', 'color', 'price'], rows(60));
    const data = prepareDataset(table, { target: 'price', standardizeTarget: true, seed: 1 });
    expect(data.featureNames).toEqual(['size', 'weight', 'color=blue', 'color=green', 'color=red']);
    const model = new Sequential([
      new Dense({ units: 6, activation: 'relu', inputShape: [5] }),
      new Dense({ units: 1 }),
    ]);
    model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    await model.fit(data.train.x, data.train.y, { epochs: 2, batchSize: 8 });

    const bytes = await exportOnnx(model, { foldPreprocessing: data.preprocessor.toJSON() });
    const test = data.test;
    const source = rows(60);
    const raw = new Float32Array(test.rows * 5);
    test.rowIndices.forEach((r, i) => {
      const [size, weight, color] = source[r];
      raw.set(
        [size, weight, color === 'blue' ? 1 : 0, color === 'green' ? 1 : 0, color === 'red' ? 1 : 0],
        i * 5,
      );
    });
    const onnx = await runOnnx(bytes, { data: raw, shape: [test.rows, 5] });
    const encoded = await (await model.predict(test.x)).data();
    for (let i = 0; i < test.rows; i++) {
      const ours = data.preprocessor.targetValue(encoded[i]);
      expect(
        Math.abs(onnx.data[i] - ours) / Math.abs(ours),
        `row ${i}: ${onnx.data[i]} vs ${ours}`,
      ).toBeLessThan(1e-5);
    }
    const m = decodeOnnxModel(bytes);
    expect(m.graph.node.slice(0, 2).map((n) => n.op_type)).toEqual(['Sub', 'Div']);
    expect(m.graph.node.slice(-2).map((n) => n.op_type)).toEqual(['Mul', 'Add']);
    expect(JSON.parse(m.metadata_props.find((p) => p.key === 'feature_names')!.value)).toEqual(
      data.featureNames,
    );
  });

  it('refuses a preprocessor whose width is not the model input', async () => {
    const table = tableFromRows(['size', 'weight', 'color', 'price'], rows(20));
    const data = prepareDataset(table, { target: 'price', seed: 1 });
    const model = new Sequential([new Dense({ units: 1, inputShape: [4] })]);
    model.compile({ loss: 'mse' });
    await expect(exportOnnx(model, { foldPreprocessing: data.preprocessor })).rejects.toThrow(
      /foldPreprocessing\): the preprocessor encodes 5 columns, the model takes samples of shape \[4\]/,
    );
  });
});
