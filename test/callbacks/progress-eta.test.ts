import { describe, expect, it } from 'vitest';
import { type Progress, ProgressEta } from '../../src/nn/callbacks/progress-eta';
import { Callback } from '../../src/nn/model/callback';
import { tinyData, tinyModel } from './scripted';

describe('ProgressEta', () => {
  it('reports the fraction done and an ETA from the time per batch so far', async () => {
    let clock = 100;
    // Every batch takes exactly 2 s of fake time.
    const tick = new (class extends Callback {
      override onBatchEnd(): void {
        clock += 2;
      }
    })();
    const seen: Progress[] = [];
    const eta = new ProgressEta({ onProgress: (p) => seen.push(p), now: () => clock });
    await tinyModel().fit(tinyData.x, tinyData.y, { epochs: 2, batchSize: 8, callbacks: [tick, eta] });
    // 24 samples / 8 = 3 batches per epoch, 6 in all.
    expect(seen.map((p) => [p.epoch, p.batch])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
    expect(seen.map((p) => p.fraction)).toEqual([1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1]);
    expect(seen.map((p) => p.eta)).toEqual([10, 8, 6, 4, 2, 0]);
    expect(seen.map((p) => p.epochEta)).toEqual([4, 2, 0, 4, 2, 0]);
    expect(seen[2].elapsed).toBe(6);
    expect(Number.isFinite(seen[5].logs.loss)).toBe(true);
  });
});
