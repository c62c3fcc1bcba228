/**
 * The divergence guard and the non-finite guard put the model back to its last-good state (the
 * last completed epoch), with the reason in history.error, on the eager and the planned path.
 */
import { describe, expect, it } from 'vitest';
import { Adam, Dense, type History, LambdaCallback, Sequential, SGD, tensor } from '../../src/index';
import type { Executor } from '../../src/nn/model/executor';
import { lastGoodOf } from '../../src/nn/model/last-good';
import { lowestEpochLoss } from '../../src/nn/model/loss-record';
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

  describe('a well-trained model whose batch losses spread over decades trains on', () => {
    // Batch 0 (shuffle off): 8 easy rows, far apart, whose loss falls to ~1e-4. Batch 1: 8 rows at
    // the origin with both labels, whose loss cannot fall below ln 2. The epoch mean is ~0.35; a
    // guard that judged single batches, or took a continued run's first batch as its reference,
    // saw 0.69 against 1e-4 and stopped a healthy run as diverged.
    const x = [
      ...Array.from({ length: 8 }, (_, i) => (i % 2 ? [6, 6] : [-6, -6])),
      ...Array.from({ length: 8 }, () => [0, 0]),
    ];
    const y = [...Array.from({ length: 8 }, (_, i) => i % 2), ...Array.from({ length: 8 }, (_, i) => i % 2)];
    const options = { batchSize: 8, shuffle: false, executor };

    async function trained(): Promise<{ m: Sequential; first: History }> {
      const m = new Sequential({
        seed: 4,
        layers: [
          new Dense({ units: 8, activation: 'relu', inputShape: [2] }),
          new Dense({ units: 1, activation: 'sigmoid' }),
        ],
      });
      m.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy' });
      const first = await m.fit(x, y, { ...options, epochs: 150 });
      expect(first.error).toBeNull();
      // The premise: the easy batch's loss is over 1,000x below the hard one's.
      expect(await m.evaluate(x.slice(0, 8), y.slice(0, 8))).toBeLessThan(Math.LN2 / 1000);
      return { m, first };
    }

    it('a second fit() call, without its History', async () => {
      const { m } = await trained();
      const again = await m.fit(x, y, { ...options, epochs: 3 });
      expect(again.error).toBeNull();
      expect(again.epoch).toEqual([0, 1, 2]);
    });

    it('a run resumed with its History', async () => {
      const { m, first } = await trained();
      const resumed = await m.fit(x, y, { ...options, epochs: 153, initialEpoch: 150, history: first });
      expect(resumed.error).toBeNull();
      expect(resumed.epoch.slice(-3)).toEqual([150, 151, 152]);
    });

    it('keeps the record with the model until its weights are replaced', async () => {
      const { m, first } = await trained();
      expect(lowestEpochLoss(m)).toBe(Math.min(...first.history.loss));
      m.setWeights(m.getWeights());
      expect(lowestEpochLoss(m)).toBe(Number.POSITIVE_INFINITY);
    });
  });
});
