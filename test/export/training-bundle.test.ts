/**
 * The training bundle without Python: what the zip holds, that readTrainingBundle gives back a
 * state restoreTrainingState resumes (the same losses as an uninterrupted fit), and that damaged
 * bundles are refused naming the file and the part.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  Adam,
  captureTrainingState,
  Dense,
  EarlyStopping,
  exportTrainingBundle,
  readTrainingBundle,
  restoreTrainingState,
  Sequential,
  WeightsFileError,
} from '../../src/index';
import { randomBatch } from './models';

async function run() {
  const model = new Sequential({
    seed: 2,
    layers: [new Dense({ units: 4, activation: 'relu', inputShape: [3] }), new Dense({ units: 1 })],
  });
  model.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'mse' });
  const x = randomBatch([10, 3], 1);
  const y = randomBatch([10, 1], 2);
  const es = new EarlyStopping({ monitor: 'loss', patience: 5, restoreBestWeights: true });
  const history = await model.fit(x, y, { epochs: 2, batchSize: 4, seed: 6, callbacks: [es] });
  const state = await captureTrainingState(model, { epoch: 2, history, extra: { note: 'kept' } });
  return { model, x, y, es, state };
}

describe('exportTrainingBundle / readTrainingBundle', () => {
  it('holds the module, weights, slots, state, best weights and README; reads back and resumes', async () => {
    const { model, x, y, es, state } = await run();
    const zip = await exportTrainingBundle(model, state, null, {
      fit: { epochs: 6, batchSize: 4, seed: 6 },
      callbacks: [es],
      split: { rows: 14, train: [3, 1, 2], validation: [0] },
    });
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual([
      'README.md',
      'best_weights.safetensors',
      'model.py',
      'optimizer.safetensors',
      'split.json',
      'training_state.json',
      'weights.safetensors',
    ]);
    const json = JSON.parse(strFromU8(files['training_state.json']));
    expect(json).toMatchObject({
      epoch: 2,
      optimizer: { iterations: 6, serialized: { className: 'Adam' } },
      fit: { epochs: 6, batchSize: 4, seed: 6, shuffle: true },
      callbacks: { earlyStopping: { monitor: 'loss', patience: 5, bestEpoch: es.bestEpoch, wait: es.wait } },
      extra: { note: 'kept' },
    });
    expect(strFromU8(files['README.md'])).toContain('python3 model.py train --data encoded.csv');
    expect(strFromU8(files['model.py'])).toContain('def train_command(argv):');

    const read = readTrainingBundle(zip, 'b.zip');
    expect(read.split).toEqual({ rows: 14, train: [3, 1, 2], validation: [0], test: [] });
    const resumed = restoreTrainingState(read.state);
    const h = await resumed.model.fit(x, y, {
      epochs: 3,
      batchSize: 4,
      seed: 6,
      initialEpoch: resumed.initialEpoch,
      history: resumed.history,
    });
    // The same third epoch as a run that never left: restored straight from the captured state.
    const direct = restoreTrainingState(state);
    const d = await direct.model.fit(x, y, {
      epochs: 3,
      batchSize: 4,
      seed: 6,
      initialEpoch: 2,
      history: direct.history,
    });
    expect(h.history.loss[2]).toBe(d.history.loss[2]);
  });

  it('refuses what is not a bundle, naming the file and the part', async () => {
    const { model, state } = await run();
    const files = unzipSync(await exportTrainingBundle(model, state, null));
    expect(() => readTrainingBundle(strToU8('not a zip'), 'x.zip')).toThrow(WeightsFileError);
    expect(() => readTrainingBundle(strToU8('not a zip'), 'x.zip')).toThrow(/x\.zip/);
    const without = { ...files };
    delete without['optimizer.safetensors'];
    expect(() => readTrainingBundle(zipSync(without), 'y.zip')).toThrow(/y\.zip.*no optimizer\.safetensors/);
    const wrong = { ...files, 'training_state.json': strToU8('{"format":"other","version":1}') };
    expect(() => readTrainingBundle(zipSync(wrong), 'z.zip')).toThrow(/format "other"/);
    const bad = { ...files, 'optimizer.safetensors': new Uint8Array(4) };
    expect(() => restoreTrainingState(readTrainingBundle(zipSync(bad), 'w.zip').state)).toThrow(
      WeightsFileError,
    );
  });
});
