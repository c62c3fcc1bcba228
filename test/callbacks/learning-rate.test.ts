import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors';
import { LearningRateScheduler, ReduceLROnPlateau } from '../../src/nn/callbacks/learning-rate';
import { SGD } from '../../src/nn/optimizers/sgd';
import { ScriptedLogs, tinyData, tinyModel } from './scripted';

async function plateau(values: number[], options: ConstructorParameters<typeof ReduceLROnPlateau>[0]) {
  const optimizer = new SGD({ learningRate: 0.1 });
  const model = tinyModel(optimizer);
  const cb = new ReduceLROnPlateau({ warn: () => {}, ...options });
  const history = await model.fit(tinyData.x, tinyData.y, {
    epochs: values.length,
    batchSize: 8,
    callbacks: [new ScriptedLogs('val_loss', values), cb],
  });
  return { optimizer, cb, history };
}

describe('ReduceLROnPlateau', () => {
  it('multiplies the rate by factor after patience epochs without improvement, and logs lr', async () => {
    const { optimizer, cb, history } = await plateau([1, 0.9, 0.95, 0.92, 0.91, 0.93, 0.8], {
      patience: 2,
      factor: 0.5,
    });
    // Epochs 2 and 3 do not beat 0.9: reduce at 3; epochs 4 and 5 neither: reduce at 5.
    expect(cb.changes).toEqual([
      { epoch: 3, from: 0.1, to: 0.05 },
      { epoch: 5, from: 0.05, to: 0.025 },
    ]);
    expect(history.history.lr).toEqual([0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025]);
    expect(optimizer.learningRate).toBe(0.025);
  });

  it('waits out the cooldown and never goes below minLr', async () => {
    const { cb } = await plateau([1, 2, 2, 2, 2, 2, 2, 2], {
      patience: 1,
      factor: 0.1,
      cooldown: 2,
      minLr: 0.002,
    });
    // Reduce at 1. As in Keras, the cooldown counter runs down at the start of epochs 2 and 3, so
    // epoch 2 is skipped and epoch 3 counts again: reduce at 3 (0.001, clamped to minLr); then the
    // rate is at minLr and later plateaus change nothing.
    expect(cb.changes.map((c) => c.epoch)).toEqual([1, 3]);
    expect(cb.changes[1].to).toBe(0.002);
  });

  it('refuses an optimizer whose rate follows a schedule, and bad options', async () => {
    const model = tinyModel(
      new SGD({ learningRate: { type: 'step', initialLearningRate: 0.1, stepSize: 2, gamma: 0.5 } }),
    );
    await expect(
      model.fit(tinyData.x, tinyData.y, { epochs: 1, callbacks: [new ReduceLROnPlateau()] }),
    ).rejects.toThrow(/follows a schedule/);
    expect(() => new ReduceLROnPlateau({ factor: 1 })).toThrow(/factor=1/);
    expect(() => new ReduceLROnPlateau({ cooldown: -1 })).toThrow(InvalidArgumentError);
  });
});

describe('LearningRateScheduler', () => {
  it('sets the rate before each epoch and logs it', async () => {
    const optimizer = new SGD({ learningRate: 0.1 });
    const model = tinyModel(optimizer);
    const seen: number[] = [];
    optimizer.applyGradients = new Proxy(optimizer.applyGradients, {
      apply(target, self, args) {
        seen.push(optimizer.learningRate);
        return Reflect.apply(target, self, args);
      },
    });
    const options = {
      epochs: 3,
      batchSize: 12,
      shuffle: false,
      callbacks: [new LearningRateScheduler((epoch) => 0.1 / 2 ** epoch)],
    };
    // Eager steps call applyGradients once per batch, where the spy can see the rate.
    const history = await model.fit(tinyData.x, tinyData.y, { ...options, executor: 'eager' });
    expect(history.history.lr).toEqual([0.1, 0.05, 0.025]);
    // Two batches per epoch, each updated with its epoch's rate.
    expect(seen).toEqual([0.1, 0.1, 0.05, 0.05, 0.025, 0.025]);
    // The compiled step (traced once, the rate an input per step) trains to the same weights.
    const compiled = tinyModel(new SGD({ learningRate: 0.1 }));
    const again = await compiled.fit(tinyData.x, tinyData.y, options);
    expect(again.history.lr).toEqual([0.1, 0.05, 0.025]);
    const weights = (m: typeof model) => m.variables.map((v) => Array.from(v.value.dataSync()));
    expect(weights(compiled)).toEqual(weights(model));
  });

  it('rejects a schedule that returns a non-positive or non-finite rate, naming the epoch', async () => {
    const model = tinyModel();
    await expect(
      model.fit(tinyData.x, tinyData.y, {
        epochs: 3,
        callbacks: [new LearningRateScheduler((epoch) => (epoch === 1 ? Number.NaN : 0.1))],
      }),
    ).rejects.toThrow(/returned NaN for epoch 1/);
  });

  it('the optimizer setter refuses a bad rate', () => {
    const sgd = new SGD({ learningRate: 0.1 });
    expect(() => {
      sgd.learningRate = 0;
    }).toThrow(/SGD.learningRate = 0: expected a positive finite number/);
    sgd.learningRate = 0.3;
    expect(sgd.learningRate).toBe(0.3);
    expect(sgd.getConfig().learningRate).toBe(0.3);
  });
});
