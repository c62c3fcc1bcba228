// What the page keeps of a long, fast run stays bounded: the curves' points, the weight-histogram
// snapshots, and the checkpoint writes to IndexedDB (a small model on the CPU ends epochs every
// few milliseconds).
import { describe, expect, test } from 'vitest';
import type { WeightHistogramSnapshot } from '../../src/nn/callbacks/weight-histograms';
import { CheckpointWriter } from '../../src/ui/state/checkpoint-writer';
import { keepHistogramsBounded, MAX_HISTOGRAM_SNAPSHOTS } from '../../src/ui/state/run-record';
import { MAX_LOG_POINTS, TrainingLog } from '../../src/ui/training-log';
import { FakeClock } from '../worker/fake-clock';

describe('TrainingLog', () => {
  test('past MAX_LOG_POINTS it thins batch and epoch points evenly, keeping the newest and the order', () => {
    const log = new TrainingLog(0);
    const epochs = 5000;
    for (let e = 0; e < epochs; e++) {
      log.addBatch(e, 0, 2, { loss: 1 / (e + 1) });
      log.addBatch(e, 1, 2, { loss: 1 / (e + 1) });
      log.addEpoch(e, { loss: 1 / (e + 1), val_loss: 2 / (e + 1) });
    }
    expect(log.length).toBeLessThanOrEqual(MAX_LOG_POINTS);
    expect(log.length).toBeGreaterThan(MAX_LOG_POINTS / 3);
    const [x, batch, epoch, val] = log.curves('loss').data;
    expect(x).toEqual([...x].sort((a, b) => a - b));
    expect(x.at(-1)).toBe(epochs);
    expect(epoch.at(-1)).toBeCloseTo(1 / epochs, 9);
    expect(val.at(-1)).toBeCloseTo(2 / epochs, 9);
    // The first epochs are still there: the curve spans the whole run.
    expect(x[0]).toBeLessThan(2);
    const epochPoints = epoch.filter((v) => v !== null).length;
    const batchPoints = batch.filter((v) => v !== null).length;
    expect(batchPoints / epochPoints).toBeCloseTo(2, 0);
    expect(log.metrics()).toEqual(['loss']);
  });
});

describe('keepHistogramsBounded', () => {
  test('keeps at most MAX_HISTOGRAM_SNAPSHOTS, evenly spread, with the first and the newest', () => {
    const snapshots: WeightHistogramSnapshot[] = [];
    for (let epoch = -1; epoch < 3000; epoch++) {
      snapshots.push({ epoch, learningRate: 0.01, weights: [] } as WeightHistogramSnapshot);
      keepHistogramsBounded(snapshots);
      expect(snapshots.length).toBeLessThanOrEqual(MAX_HISTOGRAM_SNAPSHOTS);
    }
    const epochs = snapshots.map((s) => s.epoch);
    expect(epochs[0]).toBe(-1);
    expect(epochs.at(-1)).toBe(2999);
    expect(epochs).toEqual([...epochs].sort((a, b) => a - b));
    expect(snapshots.length).toBeGreaterThan(MAX_HISTOGRAM_SNAPSHOTS / 2);
  });
});

describe('CheckpointWriter', () => {
  test('writes the newest checkpoint at most once a second and one at a time; flush writes at once, cancel drops', async () => {
    const clock = new FakeClock();
    const written: number[] = [];
    let finish: (() => void) | null = null;
    const writer = new CheckpointWriter(
      (e) => {
        throw e;
      },
      1000,
      clock,
    );
    const offer = (epoch: number) =>
      writer.offer(() => {
        written.push(epoch);
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      });
    const settle = async () => {
      const f = finish;
      finish = null;
      f?.();
      await new Promise((r) => setTimeout(r, 0));
    };
    offer(1);
    expect(written).toEqual([1]);
    // Epochs 2..50 end within the second: none is written while epoch 1's write is in flight or
    // before the second has passed, and only the newest then.
    for (let e = 2; e <= 50; e++) {
      clock.advance(10);
      offer(e);
    }
    await settle();
    expect(written).toEqual([1]);
    // A second after epoch 1's write began (490 ms have passed).
    clock.advance(509);
    expect(written).toEqual([1]);
    clock.advance(1);
    expect(written).toEqual([1, 50]);
    await settle();
    clock.advance(100);
    offer(51);
    expect(written).toEqual([1, 50]);
    // The run pauses: the newest goes now.
    writer.flush();
    expect(written).toEqual([1, 50, 51]);
    await settle();
    offer(52);
    writer.cancel();
    clock.advance(5000);
    expect(written).toEqual([1, 50, 51]);
    expect(clock.pending).toBe(0);
  });
});
