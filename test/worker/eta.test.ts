import { describe, expect, test } from 'vitest';
import { EtaEstimator } from '../../src/worker/eta';

/** Feeds a run with `batchSeconds` per batch and `epochEndSeconds` of validation after each epoch. */
function simulate(
  eta: EtaEstimator,
  epochs: number,
  steps: number,
  batchSeconds: number,
  epochEndSeconds: number,
) {
  let t = 0;
  const seen: { epoch: number; batch: number; left: number | null; truth: number }[] = [];
  const total = epochs * (steps * batchSeconds + epochEndSeconds);
  for (let e = 0; e < epochs; e++) {
    for (let b = 0; b < steps; b++) {
      t += batchSeconds;
      eta.batch(e, b, t);
      seen.push({ epoch: e, batch: b, left: eta.secondsLeft(), truth: total - t });
    }
    t += epochEndSeconds;
  }
  return seen;
}

describe('EtaEstimator', () => {
  test('counts the time spent between epochs (validation), which a per-epoch samples/s rate leaves out', () => {
    const eta = new EtaEstimator();
    eta.reset(100, 10);
    // 10 batches of 0.1 s and 2 s of validation per epoch: 3 s an epoch, 300 s in all.
    const seen = simulate(eta, 100, 10, 0.1, 2);
    expect(seen[0].left).toBeNull(); // one batch gives no speed yet
    // From the second epoch on, the estimate is within 5% of the truth at every batch.
    for (const s of seen.slice(11))
      expect(Math.abs((s.left ?? 0) - s.truth)).toBeLessThan(0.05 * s.truth + 0.01);
    // At epoch 12 of 100 about 88 epochs (264 s) remain, not the 88 s that batches alone would say.
    const at12 = seen.find((s) => s.epoch === 11 && s.batch === 9)!;
    expect(at12.left).toBeCloseTo(at12.truth, 0);
    expect(at12.truth).toBeCloseTo(266, 0);
  });

  test('a slow batch moves the estimate a little, not all the way (the rate is smoothed)', () => {
    const eta = new EtaEstimator({ alpha: 0.1 });
    eta.reset(1, 100);
    for (let b = 0; b < 20; b++) eta.batch(0, b, b);
    expect(eta.secondsLeft()).toBeCloseTo(80, 6); // 1 s per batch, 80 batches left
    eta.batch(0, 20, 30); // one batch of 11 s
    // The average moves a tenth of the way, from 1 to 2 s: 79 batches at 2 s.
    expect(eta.secondsLeft()).toBeCloseTo(79 * 2, 6);
  });

  test('a pause is not measured as a slow batch', () => {
    const eta = new EtaEstimator();
    eta.reset(1, 10);
    eta.batch(0, 0, 0);
    eta.batch(0, 1, 1);
    eta.interrupt();
    eta.batch(0, 2, 500); // resumed after a long pause
    expect(eta.secondsLeft()).toBeCloseTo(7, 6);
    eta.batch(0, 3, 501);
    expect(eta.secondsLeft()).toBeCloseTo(6, 6);
  });
});
