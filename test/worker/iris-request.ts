/** A training request for the Iris sample, as the page would send it to the Worker. */
import { readFileSync } from 'node:fs';
import { parseCsv, prepareDataset } from '../../src/data/index';
import type { BackendRequest, TrainRequest, XY } from '../../src/worker/protocol';

export interface IrisRequestOptions {
  epochs: number;
  backend?: BackendRequest;
  units?: number;
  runId?: string;
  /** Predict the test split at the end (default true). */
  evaluate?: boolean;
}

export async function irisRequest({
  epochs,
  backend = 'cpu',
  units = 16,
  runId = 'test-run',
  evaluate = true,
}: IrisRequestOptions): Promise<TrainRequest> {
  const table = await parseCsv(readFileSync('public/samples/iris.csv', 'utf8'), { fileName: 'iris.csv' });
  const d = prepareDataset(table, { target: 'species', seed: 3 });
  const xy = (s: typeof d.train): XY => ({
    x: { data: s.xData.slice(), shape: [s.rows, d.inputSize] },
    y: { data: s.yData.slice(), shape: [s.rows] },
  });
  return {
    type: 'train',
    runId,
    backend,
    model: {
      className: 'Sequential',
      name: 'model',
      seed: 7,
      inputShape: [d.inputSize],
      layers: [
        { className: 'Dense', config: { units, activation: 'relu' } },
        { className: 'Dense', config: { units: 3, activation: 'softmax' } },
      ],
    },
    optimizer: { className: 'Adam', config: { learningRate: 0.05 } },
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
    train: xy(d.train),
    validation: xy(d.validation),
    evaluate: evaluate ? xy(d.test) : null,
    fit: { epochs, batchSize: 16, seed: 1 },
  };
}
