import { expect, test } from 'vitest';
import { parseCsv } from '../../src/data/index';
import { exportModelWeights } from '../../src/io/model-io';
import { withPredictions } from '../../src/ui/state/predictions';

test('appends the predicted class and one probability column per class, quoting as CSV needs', async () => {
  const table = await parseCsv('name,x,prediction\n"a, b",1,old\nc,2,old\n');
  const csv = withPredictions(table, new Float32Array([0.2, 0.8, 0.9, 0.1]), ['no', 'yes']);
  expect(csv.split('\r\n')).toEqual([
    'name,x,prediction,prediction (2),probability no,probability yes',
    '"a, b",1,old,yes,0.2,0.8',
    'c,2,old,no,0.9,0.1',
  ]);
});

test('regression appends the predicted value', async () => {
  const table = await parseCsv('x\n1\n2\n');
  expect(withPredictions(table, new Float32Array([1.5, -2.25]), null).split('\r\n')).toEqual([
    'x,prediction',
    '1,1.5',
    '2,-2.25',
  ]);
});

test('a model from the Worker is described from the file header and the weights sent with it', async () => {
  const { Dense, Sequential } = await import('../../src/index');
  const { trainedModelFromWorker, appMetadata } = await import('../../src/ui/state/trained-model');
  const model = new Sequential([new Dense({ units: 3, inputShape: [2], activation: 'softmax' })]);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const context = {
    source: 'x.csv',
    task: 'classification' as const,
    classNames: ['a', 'b', 'c'],
    inputSize: 2,
    preprocessor: {} as never,
  };
  const file = await exportModelWeights(model, { metadata: appMetadata(context) });
  const weights = Object.fromEntries(
    [...model.getWeightsByName()].map(([name, t]) => [name, { data: t.dataSync(), shape: [...t.shape] }]),
  );
  const fromWorker = trainedModelFromWorker(file, weights);
  expect(fromWorker.model).toEqual(model.getConfig());
  expect(fromWorker.params).toBe(model.countParams());
  expect(fromWorker.context).toEqual(context);
  expect(fromWorker.architecture).toBe('dense_1 Dense(3, softmax)');
  expect(JSON.parse(fromWorker.metadata.model_config)).toEqual(model.getConfig());
});
