import { describe, expect, test } from 'vitest';
import { progressLine, RunProgress } from '../../src/ui/state/run-progress';

describe('progressLine', () => {
  const batch = (epoch: number, b: number, etaSeconds: number | null) =>
    ({ type: 'batch', epoch, batch: b, steps: 4, logs: {}, samplesPerSecond: 1234.4, etaSeconds }) as const;

  test('says what the run is doing: preparing, training with an ETA, validating, evaluating', () => {
    const p = new RunProgress();
    p.begin(100, 0);
    expect(progressLine(p, false)).toBe('Epoch 1 of 100: preparing the model…');
    p.started(4, 0);
    p.onBatch(batch(0, 0, null));
    expect(progressLine(p, false)).toBe('Epoch 1 of 100, batch 1 of 4 · 1,234 samples/s · about … left');
    // The ETA is the Worker's (measured there at every batch), shown as it comes.
    p.onBatch(batch(0, 1, 398));
    expect(progressLine(p, false)).toBe(
      'Epoch 1 of 100, batch 2 of 4 · 1,234 samples/s · about 6 min 38 s left',
    );
    p.onPhase('validating');
    expect(progressLine(p, false)).toBe('Epoch 1 of 100, batch 2 of 4 · 1,234 samples/s · validating…');
    p.onPhase('evaluating');
    expect(progressLine(p, false)).toBe('Evaluating on the test split…');
  });

  test('a stopped run says where it stopped, not that it finished', () => {
    const p = new RunProgress();
    p.begin(100, 0);
    p.started(4, 0);
    p.stopping();
    p.ended(34, null);
    expect(progressLine(p, false)).toBe('Stopped at epoch 34 of 100');
    p.begin(100, 0);
    p.ended(100, null);
    expect(progressLine(p, false)).toBe('Finished: 100 epochs');
    expect(p.fraction).toBe(1);
    p.begin(100, 0);
    p.ended(20, 14);
    expect(progressLine(p, false)).toBe(
      'Stopped early at epoch 20 of 100: the loss stopped improving; kept the weights of epoch 15',
    );
  });
});
