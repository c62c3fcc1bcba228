import { describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError } from '../../src/errors';
import { EarlyStopping, type EarlyStoppingOptions } from '../../src/nn/callbacks/early-stopping';
import { Callback, type Logs } from '../../src/nn/model/callback';
import { currentWeights, plain, ScriptedLogs, tinyData, tinyModel } from './scripted';

/** A fit of `epochs` epochs in which `key` takes the scripted values. */
async function scripted(
  values: number[],
  options: EarlyStoppingOptions,
  { epochs = values.length, key = options.monitor ?? 'val_loss', extra = [] as Callback[] } = {},
) {
  const model = tinyModel();
  const script = new ScriptedLogs(key, values);
  const es = new EarlyStopping({ warn: () => {}, ...options });
  const history = await model.fit(tinyData.x, tinyData.y, {
    epochs,
    batchSize: 8,
    callbacks: [script, ...extra, es],
  });
  return { model, script, es, history, final: await currentWeights(model) };
}

describe('EarlyStopping on a scripted sequence', () => {
  it('stops after patience epochs without improvement', async () => {
    const { es, history } = await scripted([1, 0.8, 0.9, 0.85, 0.7, 0.6], { patience: 2 });
    expect(history.epoch).toEqual([0, 1, 2, 3]);
    expect(es.stoppedEpoch).toBe(3);
    expect(es.bestEpoch).toBe(1);
    expect(es.best).toBe(0.8);
    expect(history.stopped).toBe(true);
  });

  it('patience 0 stops at the first epoch that does not improve, and an improvement resets the wait', async () => {
    const a = await scripted([3, 2, 1, 1.5, 0.5], { patience: 0 });
    expect(a.es.stoppedEpoch).toBe(3);
    // Epoch 2 does not improve (wait 1), epoch 3 does (wait 0), epochs 4 and 5 do not (wait 2).
    const b = await scripted([3, 2.5, 2.6, 2.4, 2.45, 2.5, 2.3], { patience: 2 });
    expect(b.es.stoppedEpoch).toBe(5);
    expect(b.es.bestEpoch).toBe(3);
  });

  it('minDelta: an improvement must be larger than minDelta', async () => {
    const values = [1, 0.95, 0.92, 0.91];
    const strict = await scripted(values, { patience: 1, minDelta: 0.1 });
    expect(strict.es.stoppedEpoch).toBe(1);
    expect(strict.es.bestEpoch).toBe(0);
    const loose = await scripted(values, { patience: 1 });
    expect(loose.es.stoppedEpoch).toBeNull();
    expect(loose.es.bestEpoch).toBe(3);
  });

  it("mode 'auto' maximises accuracy and minimises loss", async () => {
    expect(new EarlyStopping({ monitor: 'val_accuracy' }).mode).toBe('max');
    expect(new EarlyStopping({ monitor: 'auc' }).mode).toBe('max');
    expect(new EarlyStopping({ monitor: 'val_loss' }).mode).toBe('min');
    expect(new EarlyStopping({ monitor: 'val_mae' }).mode).toBe('min');
    const acc = await scripted([0.5, 0.7, 0.6, 0.65, 0.9], { monitor: 'val_accuracy', patience: 2 });
    expect(acc.es.bestEpoch).toBe(1);
    expect(acc.es.stoppedEpoch).toBe(3);
    // The same numbers read as a loss: epoch 0 is best and epoch 1, 3 do not improve on it.
    const loss = await scripted([0.5, 0.7, 0.6, 0.65, 0.9], { monitor: 'val_loss', patience: 2 });
    expect(loss.es.bestEpoch).toBe(0);
    expect(loss.es.stoppedEpoch).toBe(2);
    const forced = await scripted([0.5, 0.7, 0.6], { monitor: 'val_loss', mode: 'max', patience: 0 });
    expect(forced.es.bestEpoch).toBe(1);
  });

  it('baseline: epochs that do not beat it are no improvement', async () => {
    const { es, history } = await scripted([0.9, 0.8, 0.7, 0.4, 0.3], { patience: 2, baseline: 0.5 });
    expect(history.epoch).toEqual([0, 1]);
    expect(es.bestEpoch).toBeNull();
    expect(es.best).toBe(0.5);
    const beaten = await scripted([0.9, 0.45, 0.7, 0.6], { patience: 2, baseline: 0.5 });
    expect(beaten.es.bestEpoch).toBe(1);
    expect(beaten.es.stoppedEpoch).toBe(3);
  });

  it('startFromEpoch: earlier epochs are not monitored', async () => {
    const values = [0.1, 5, 4, 3, 2.5, 2.6, 1];
    const late = await scripted(values, { patience: 1, startFromEpoch: 2 });
    expect(late.es.bestEpoch).toBe(4);
    expect(late.es.stoppedEpoch).toBe(5);
    const early = await scripted(values, { patience: 1 });
    expect(early.es.stoppedEpoch).toBe(1);
  });

  it('a monitor missing from the logs warns once and never stops', async () => {
    const warn = vi.fn();
    const model = tinyModel();
    const es = new EarlyStopping({ monitor: 'val_auc', patience: 0, restoreBestWeights: true, warn });
    const history = await model.fit(tinyData.x, tinyData.y, { epochs: 3, batchSize: 8, callbacks: [es] });
    expect(history.epoch).toEqual([0, 1, 2]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/'val_auc' is not in the epoch logs \(available: loss, accuracy\)/);
    expect(es.restored).toBe(false);
  });

  it('rejects invalid options, naming the option and the value', () => {
    expect(() => new EarlyStopping({ patience: -1 })).toThrow(InvalidArgumentError);
    expect(() => new EarlyStopping({ patience: 1.5 })).toThrow(/patience=1.5/);
    expect(() => new EarlyStopping({ minDelta: Number.NaN })).toThrow(/minDelta=NaN/);
    expect(() => new EarlyStopping({ mode: 'up' as 'min' })).toThrow(/mode=up/);
    expect(() => new EarlyStopping({ baseline: Number.POSITIVE_INFINITY })).toThrow(/baseline=Infinity/);
    expect(() => new EarlyStopping({ startFromEpoch: -2 })).toThrow(/startFromEpoch=-2/);
  });
});

/** Stops training from outside EarlyStopping at the end of `epoch`. */
class StopAt extends Callback {
  constructor(private readonly epoch: number) {
    super();
  }

  override onEpochEnd(epoch: number): void {
    if (epoch === this.epoch) this.model!.stopTraining = true;
  }
}

describe('EarlyStopping restoreBestWeights', () => {
  it('restores the best epoch bit for bit when it stops training', async () => {
    const { es, script, final } = await scripted([1, 0.6, 0.8, 0.9, 0.3], {
      patience: 2,
      restoreBestWeights: true,
    });
    expect(es.stoppedEpoch).toBe(3);
    expect(es.restored).toBe(true);
    expect(plain(final)).toEqual(plain(script.weightsAt.get(1)!));
    // The weights really moved after the best epoch, so equality above is not trivial.
    expect(plain(script.weightsAt.get(3)!)).not.toEqual(plain(script.weightsAt.get(1)!));
  });

  it('restores the best epoch when the epochs run out before patience', async () => {
    const { es, script, final, history } = await scripted([1, 0.5, 0.6, 0.7], {
      patience: 10,
      restoreBestWeights: true,
    });
    expect(history.stopped).toBe(false);
    expect(es.stoppedEpoch).toBeNull();
    expect(es.bestEpoch).toBe(1);
    expect(plain(final)).toEqual(plain(script.weightsAt.get(1)!));
    expect(plain(final)).not.toEqual(plain(script.weightsAt.get(3)!));
  });

  it('restores when another callback stops training', async () => {
    const { es, script, final } = await scripted(
      [1, 0.5, 0.6, 0.7, 0.8],
      { patience: 10, restoreBestWeights: true },
      { extra: [new StopAt(2)] },
    );
    expect(es.stoppedEpoch).toBeNull();
    expect(es.restored).toBe(true);
    expect(plain(final)).toEqual(plain(script.weightsAt.get(1)!));
  });

  it('restores when the user aborts', async () => {
    const model = tinyModel();
    const controller = new AbortController();
    const script = new ScriptedLogs('val_loss', [2, 1, 1.5, 1.7, 1.9]);
    const abortAfter2 = new (class extends Callback {
      override onEpochEnd(epoch: number): void {
        if (epoch === 2) controller.abort();
      }
    })();
    const es = new EarlyStopping({ patience: 10, restoreBestWeights: true });
    const history = await model.fit(tinyData.x, tinyData.y, {
      epochs: 5,
      batchSize: 8,
      signal: controller.signal,
      callbacks: [script, abortAfter2, es],
    });
    expect(history.epoch).toEqual([0, 1, 2]);
    expect(plain(await currentWeights(model))).toEqual(plain(script.weightsAt.get(1)!));
  });

  it('puts back the weights from before training when nothing beats the baseline', async () => {
    const { es, script, final } = await scripted([0.9, 0.8, 0.7], {
      patience: 5,
      baseline: 0.5,
      restoreBestWeights: true,
    });
    expect(es.bestEpoch).toBeNull();
    expect(plain(final)).toEqual(plain(script.initial!));
  });

  it('keeps a copy that further training does not change', async () => {
    const frozen: Record<string, number[]>[] = [];
    const es = new EarlyStopping({ patience: 10, restoreBestWeights: true });
    // Runs after EarlyStopping each epoch: at epoch 3 (two epochs after the best) the stored copy
    // must still equal what it was right after epoch 1, although training has moved on.
    const watcher = new (class extends Callback {
      override onEpochEnd(epoch: number, _logs: Logs): void {
        if (epoch === 1 || epoch === 3) frozen.push(plain(es.bestWeights!));
      }
    })();
    const model = tinyModel();
    const script = new ScriptedLogs('val_loss', [1, 0.5, 0.7, 0.8]);
    await model.fit(tinyData.x, tinyData.y, { epochs: 4, batchSize: 8, callbacks: [script, es, watcher] });
    expect(frozen[0]).toEqual(plain(script.weightsAt.get(1)!));
    expect(frozen[1]).toEqual(frozen[0]);
    expect(plain(script.weightsAt.get(3)!)).not.toEqual(frozen[0]);
    // Restoring must not hand the stored arrays to the model: training again leaves them as they were.
    const stored = plain(es.bestWeights!);
    await model.fit(tinyData.x, tinyData.y, { epochs: 1, batchSize: 8 });
    expect(plain(es.bestWeights!)).toEqual(stored);
  });
});
