import { describe, expect, test } from 'vitest';
import { TrainingLog } from '../../src/ui/training-log';

describe('TrainingLog', () => {
  test('places batches at fractional epochs and epochs at their end', () => {
    const log = new TrainingLog(0);
    log.addBatch(0, 0, 2, { loss: 4 });
    log.addBatch(0, 1, 2, { loss: 2 });
    log.addEpoch(0, { loss: 3, val_loss: 3.5, accuracy: 0.5 });
    const c = log.curves('loss');
    expect(c.data[0]).toEqual([0.5, 1, 1]);
    expect(c.data[1]).toEqual([4, 2, null]);
    expect(c.data[2]).toEqual([null, null, 3]);
    expect(c.data[3]).toEqual([null, null, 3.5]);
    expect(log.metrics()).toEqual(['loss', 'accuracy']);
  });

  test('smooths batch values with an exponential moving average', () => {
    const log = new TrainingLog(0.5);
    log.addBatch(0, 0, 3, { loss: 4 });
    log.addBatch(0, 1, 3, { loss: 2 });
    log.addBatch(0, 2, 3, { loss: 0 });
    expect(log.curves('loss').data[1]).toEqual([4, 3, 1.5]);
  });

  test('leaves out the batch bookkeeping keys Keras logs', () => {
    const log = new TrainingLog(0);
    log.addBatch(0, 0, 1, { batch: 0, size: 32, loss: 1 });
    log.addEpoch(0, { loss: 1, batch: 3 });
    expect(log.metrics()).toEqual(['loss']);
  });

  test('skips non-finite values instead of drawing them', () => {
    const log = new TrainingLog(0);
    log.addBatch(0, 0, 1, { loss: Number.NaN, accuracy: 1 });
    expect(log.curves('loss').data[1]).toEqual([null]);
    expect(log.curves('accuracy').data[1]).toEqual([1]);
  });
});

describe('evenlySpaced (histogram ridges)', () => {
  test('keeps everything up to n, else n items spread from first to last', async () => {
    const { evenlySpaced } = await import('../../src/ui/histograms-view/histograms-view');
    expect(evenlySpaced([1, 2, 3], 10)).toEqual([1, 2, 3]);
    expect(evenlySpaced([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3)).toEqual([0, 5, 10]);
  });
});
