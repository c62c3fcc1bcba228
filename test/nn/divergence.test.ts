/**
 * The divergence guard and the non-finite guard put the model back to its last-good state (the
 * last completed epoch), with the reason in history.error, on the eager and the planned path.
 */
import { describe, expect, it } from 'vitest';
import { Dense, LambdaCallback, Sequential, SGD, tensor } from '../../src/index';
import type { Executor } from '../../src/nn/model/executor';
import { lastGoodOf } from '../../src/nn/model/last-good';
import { blobs } from './helpers';

function model(learningRate: number): Sequential {
  const m = new Sequential({
    seed: 2,
    layers: [new Dense({ units: 8, activation: 'relu', inputShape: [2] }), new Dense({ units: 1 })],
  });
  m.compile({ optimizer: new SGD({ learningRate }), loss: 'meanSquaredError' });
  return m;
}

async function weightsOf(m: Sequential): Promise<number[][]> {
  return Promise.all(m.getWeights().map(async (t) => [...(await t.data())]));
}

describe.each(['eager', 'planned'] as Executor[])('fit guards (%s)', (executor) => {
  it('a learning rate of 1e6 ends the run as diverged, the weights back where they started', async () => {
    const { x, y } = blobs(64, 3);
    const m = model(1e6);
    const start = await weightsOf(m);
    const history = await m.fit(x, y, { epochs: 20, batchSize: 8, seed: 1, executor });
    expect(history.error).toMatch(/the loss (diverged to .* at epoch 0|became (NaN|Infinity))/);
    expect(history.stopped).toBe(true);
    expect(history.epoch).toEqual([]);
    expect(await weightsOf(m)).toEqual(start);
    expect(m.optimizer.iterations).toBe(0);
    const predicted = await (await m.predict(x)).data();
    expect([...predicted].every(Number.isFinite)).toBe(true);
  });

  it('a loss that grows 1,000x past its best later on goes back to the last completed epoch', async () => {
    const { x, y } = blobs(64, 4);
    const m = model(0.01);
    let afterEpoch1: number[][] = [];
    const history = await m.fit(x, y, {
      epochs: 6,
      batchSize: 16,
      seed: 1,
      executor,
      callbacks: [
        new LambdaCallback({
          onEpochEnd: async (epoch, _logs, model) => {
            if (epoch !== 1) return;
            afterEpoch1 = await weightsOf(model);
            // A rate this large sends the next epoch's losses far past their best.
            model.optimizer.learningRate = 50;
          },
        }),
      ],
    });
    expect(history.error).toMatch(/the loss (diverged to .* at epoch 2|became (NaN|Infinity) at epoch 2)/);
    expect(history.epoch).toEqual([0, 1]);
    expect(await weightsOf(m)).toEqual(afterEpoch1);
    expect(lastGoodOf(m)?.epoch).toBe(2);
    expect(m.optimizer.iterations).toBe(lastGoodOf(m)!.iterations);
  });

  it('a non-finite loss goes back to the last completed epoch, not to the step before', async () => {
    const { x, y } = blobs(32, 5);
    const m = model(0.01);
    let afterEpoch0: number[][] = [];
    const history = await m.fit(x, y, {
      epochs: 4,
      batchSize: 8,
      executor,
      callbacks: [
        new LambdaCallback({
          onBatchEnd: (batch, _logs, model) => {
            // Weights that overflow float32 in the forward pass make the next loss Infinity.
            if (batch === 2 && afterEpoch0.length > 0) {
              model.setWeights(
                model.getWeights().map((t) => tensor(new Float32Array(t.size).fill(3e38), [...t.shape])),
              );
            }
          },
          onEpochEnd: async (epoch, _logs, model) => {
            if (epoch === 0) afterEpoch0 = await weightsOf(model);
          },
        }),
      ],
    });
    expect(history.error).toMatch(/the loss became (Infinity|NaN) at epoch 1, batch 3/);
    expect(history.error).toMatch(/last-good state/);
    expect(await weightsOf(m)).toEqual(afterEpoch0);
  });
});
