import { describe, expect, it } from 'vitest';
import { ModelCheckpoint, type ModelCheckpointData } from '../../src/nn/callbacks/model-checkpoint';
import { SGD } from '../../src/nn/optimizers/sgd';
import { plain, ScriptedLogs, tinyData, tinyModel } from './scripted';

describe('ModelCheckpoint', () => {
  it('saves only improving epochs with saveBestOnly, with that epoch’s weights and optimizer state', async () => {
    const saved: ModelCheckpointData[] = [];
    const model = tinyModel(new SGD({ learningRate: 0.1, momentum: 0.9 }));
    const script = new ScriptedLogs('val_loss', [1, 0.7, 0.8, 0.6, 0.65]);
    const cp = new ModelCheckpoint({ save: (c) => void saved.push(c), saveBestOnly: true });
    await model.fit(tinyData.x, tinyData.y, { epochs: 5, batchSize: 8, callbacks: [script, cp] });
    expect(saved.map((c) => c.epoch)).toEqual([0, 1, 3]);
    expect(saved.map((c) => c.best)).toEqual([1, 0.7, 0.6]);
    expect(plain(saved[1].weights)).toEqual(plain(script.weightsAt.get(1)!));
    // Three batches per epoch: the state saved after epoch 1 is that of 6 updates.
    expect(saved[1].optimizerState.iterations).toBe(6);
    expect([...saved[1].optimizerState.slots.keys()]).toContain('dense_1.kernel.momentum');
    expect(saved[1].logs.val_loss).toBe(0.7);
  });

  it('saves every saveFreq epochs otherwise, and checks its options', async () => {
    const epochs: number[] = [];
    const model = tinyModel();
    const cp = new ModelCheckpoint({ save: async (c) => void epochs.push(c.epoch), saveFreq: 2 });
    await model.fit(tinyData.x, tinyData.y, { epochs: 5, batchSize: 8, callbacks: [cp] });
    expect(epochs).toEqual([1, 3]);
    expect(cp.savedEpochs).toEqual([1, 3]);
    expect(() => new ModelCheckpoint({ save: () => {}, saveFreq: 0 })).toThrow(/saveFreq=0/);
    expect(() => new ModelCheckpoint({} as never)).toThrow(/save must be a function/);
  });
});
