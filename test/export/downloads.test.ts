/** modelDownloads: the three files the app offers, produced from one trained model. */
import { describe, expect, it } from 'vitest';
import {
  Dense,
  decodeOnnxModel,
  decodeSafetensors,
  modelDownloads,
  prepareDataset,
  Sequential,
  tableFromRows,
} from '../../src/index';

describe('modelDownloads', () => {
  it('weights with the preprocessing in their metadata, ONNX with it folded in, and the PyTorch file', async () => {
    const table = tableFromRows(
      ['a', 'b', 'label'],
      Array.from({ length: 30 }, (_, i) => [i * 3, Math.sin(i) * 3, i % 2 ? 'yes' : 'no']),
    );
    const data = prepareDataset(table, { target: 'label', seed: 2 });
    const model = new Sequential({
      name: 'classifier',
      layers: [new Dense({ units: 2, activation: 'softmax', inputShape: [data.inputSize] })],
    });
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await model.fit(data.train.x, data.train.y, { epochs: 1 });

    const files = await modelDownloads(model, { preprocessing: data.preprocessor, foldPreprocessing: true });
    expect(files.map((f) => [f.label, f.filename])).toEqual([
      ['Weights (safetensors)', 'classifier.safetensors'],
      ['ONNX', 'classifier.onnx'],
      ['PyTorch', 'classifier.py'],
    ]);
    const weights = decodeSafetensors(files[0].data as Uint8Array);
    expect(JSON.parse(weights.metadata.preprocessing)).toEqual(data.preprocessor.toJSON());
    const onnx = decodeOnnxModel(files[1].data as Uint8Array);
    expect(onnx.graph.node.slice(0, 2).map((n) => n.op_type)).toEqual(['Sub', 'Div']);
    expect(files[2].data).toContain('class Model(WebgpuTrainerModule):');
    expect(files[2].data).toContain('("dense_1.kernel", "dense_1.weight", "linear")');
  });
});
