import { describe, expect, it } from 'vitest';
import { EarlyStopping } from '../../src/nn/callbacks/early-stopping';
import { Dense } from '../../src/nn/layers/index';
import { Sequential } from '../../src/nn/model/sequential';
import { Adam } from '../../src/nn/optimizers/adam';
import { blobs } from '../nn/helpers';
import { currentWeights, plain, ScriptedLogs } from './scripted';

describe('EarlyStopping in a real fit', () => {
  it('stops when the validation loss worsens and restores the best epoch', async () => {
    // The validation labels are the training labels flipped: the better the model fits the
    // training blobs, the worse its validation loss, so val_loss is best early and then rises.
    const train = blobs(64, 21);
    const val = blobs(32, 22);
    const flipped = val.y.map((c) => 1 - c);
    const model = new Sequential({
      seed: 5,
      layers: [new Dense({ units: 1, activation: 'sigmoid', inputShape: [2] })],
    });
    model.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy' });
    // Records weights only: the key it writes is not monitored.
    const recorder = new ScriptedLogs('unused', []);
    const es = new EarlyStopping({ monitor: 'val_loss', patience: 3, restoreBestWeights: true });
    const history = await model.fit(train.x, train.y, {
      epochs: 40,
      batchSize: 16,
      validationData: [val.x, flipped],
      callbacks: [recorder, es],
    });
    const valLoss = history.history.val_loss;
    const best = valLoss.indexOf(Math.min(...valLoss));
    expect(es.stoppedEpoch).toBe(best + 3);
    expect(history.epoch.length).toBe(best + 4);
    expect(history.epoch.length).toBeLessThan(40);
    expect(es.bestEpoch).toBe(best);
    expect(plain(await currentWeights(model))).toEqual(plain(recorder.weightsAt.get(best)!));
    // The restored model scores the validation data exactly as it did at the best epoch.
    const evaluated = await model.evaluate(val.x, flipped, { batchSize: 16, returnDict: true });
    expect(evaluated.loss).toBe(valLoss[best]);
  });
});
