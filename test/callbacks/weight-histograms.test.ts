import { describe, expect, it } from 'vitest';
import { histogram, WeightHistograms } from '../../src/nn/callbacks/weight-histograms';
import { Callback } from '../../src/nn/model/callback';
import { SGD } from '../../src/nn/optimizers/sgd';
import { tinyData, tinyModel } from './scripted';

describe('histogram', () => {
  it('bins values between min and max, hand-worked', () => {
    const h = histogram([0, 1, 2, 3, 4, 4, 10], 5);
    expect(h.edges).toEqual([0, 2, 4, 6, 8, 10]);
    // [0,2): 0 1 | [2,4): 2 3 | [4,6): 4 4 | [6,8): - | [8,10]: 10 (the last bin is closed).
    expect(h.counts).toEqual([2, 2, 2, 0, 1]);
    expect(h.count).toBe(7);
    expect(h.min).toBe(0);
    expect(h.max).toBe(10);
    expect(h.mean).toBeCloseTo(24 / 7, 14);
    const variance = [0, 1, 2, 3, 4, 4, 10].reduce((s, v) => s + (v - 24 / 7) ** 2, 0) / 7;
    expect(h.std).toBeCloseTo(Math.sqrt(variance), 14);
  });

  it('a constant weight sits in the middle bin of a widened range; non-finite values are counted apart', () => {
    const zeros = histogram(new Float32Array(8), 30);
    expect(zeros.counts[15]).toBe(8);
    expect(zeros.counts.reduce((a, b) => a + b, 0)).toBe(8);
    expect(zeros.edges[0]).toBe(-0.5);
    expect(zeros.edges[30]).toBe(0.5);
    expect(zeros.std).toBe(0);
    const mixed = histogram([1, Number.NaN, 3, Number.POSITIVE_INFINITY], 2);
    expect(mixed.counts).toEqual([1, 1]);
    expect(mixed.nonFinite).toBe(2);
    expect(mixed.mean).toBe(2);
    expect(() => histogram([1], 0)).toThrow(/bins=0/);
  });
});

describe('WeightHistograms', () => {
  it('has the initial weights at train begin and one snapshot per epoch, each summing to the weight size', async () => {
    const model = tinyModel(new SGD({ learningRate: 0.2 }));
    const wh = new WeightHistograms();
    let atFirstEpochBegin = -1;
    const probe = new (class extends Callback {
      override onEpochBegin(epoch: number): void {
        if (epoch === 0) atFirstEpochBegin = wh.snapshots.length;
      }
    })();
    await model.fit(tinyData.x, tinyData.y, { epochs: 3, batchSize: 8, callbacks: [wh, probe] });
    expect(atFirstEpochBegin).toBe(1);
    expect(wh.snapshots.map((s) => s.epoch)).toEqual([-1, 0, 1, 2]);
    for (const snapshot of wh.snapshots) {
      expect(snapshot.learningRate).toBe(0.2);
      expect(snapshot.weights.map((w) => w.name)).toEqual([
        'dense_1.kernel',
        'dense_1.bias',
        'dense_2.kernel',
        'dense_2.bias',
      ]);
      for (const w of snapshot.weights) {
        const size = w.shape.reduce((a, b) => a * b, 1);
        expect(w.counts).toHaveLength(30);
        expect(w.counts.reduce((a, b) => a + b, 0)).toBe(size);
      }
    }
    // Biases start at zero (one bin) and spread once trained; the final histogram is of the final weights.
    expect(wh.snapshots[0].weights[1].min).toBe(0);
    expect(wh.snapshots[0].weights[1].max).toBe(0);
    expect(wh.snapshots[3].weights[1].max).toBeGreaterThan(wh.snapshots[3].weights[1].min);
    const kernel = await model.variables[0].value.data();
    expect(wh.snapshots[3].weights[0].max).toBe(Math.max(...kernel));
    expect(wh.snapshots[3].weights[0].min).toBe(Math.min(...kernel));
  });

  it('histogramFreq thins the snapshots and onSnapshot sees each one', async () => {
    const model = tinyModel();
    const seen: number[] = [];
    const wh = new WeightHistograms({ histogramFreq: 2, bins: 4, onSnapshot: (s) => seen.push(s.epoch) });
    await model.fit(tinyData.x, tinyData.y, { epochs: 5, batchSize: 8, callbacks: [wh], initialEpoch: 1 });
    expect(seen).toEqual([0, 1, 3]);
    expect(wh.snapshots[0].weights[0].counts).toHaveLength(4);
    expect(() => new WeightHistograms({ histogramFreq: -1 })).toThrow(/histogramFreq=-1/);
  });
});
