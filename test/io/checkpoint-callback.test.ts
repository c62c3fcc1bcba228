/**
 * ModelCheckpoint: a run killed in the middle of an epoch resumes from the last saved state and
 * ends as an uninterrupted run ends, every epoch in its History once; saveBestOnly and saveFreq
 * choose the epochs saved; a failed save is reported and training goes on.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  Callback,
  decodeSafetensors,
  InvalidArgumentError,
  ModelCheckpoint,
  restoreTrainingState,
  SGD,
  type TrainingState,
} from '../../src/index';
import { CheckpointStore } from '../../src/io/storage/index';
import { plain, ScriptedLogs, tinyData, tinyModel } from '../callbacks/scripted';
import { expectError } from './catch-error';
import { classes, compiledMlp, weightValues } from './models';

const data = classes(30, 8);
const fitOptions = { batchSize: 8, validationSplit: 0.2 };

/** Aborts fit in the middle of `epoch` (after its second batch), as a page reload would. */
class KillMidEpoch extends Callback {
  readonly controller = new AbortController();
  private epoch = -1;

  constructor(private readonly at: number) {
    super();
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  override onBatchEnd(batch: number): void {
    if (this.epoch === this.at && batch === 1) this.controller.abort();
  }
}

describe('ModelCheckpoint', () => {
  it('a run killed mid-epoch resumes from IndexedDB and matches an uninterrupted run', async () => {
    const straightModel = compiledMlp(5);
    const straight = await straightModel.fit(data.x, data.y, { ...fitOptions, epochs: 6 });

    const store = new CheckpointStore('checkpoint-callback-test');
    const save = (s: TrainingState) => store.write({ runId: 'run', ...s, run: s.extra });
    const kill = new KillMidEpoch(3);
    const first = new ModelCheckpoint({ save, extra: { dataset: 'classes' } });
    await compiledMlp(5).fit(data.x, data.y, {
      ...fitOptions,
      epochs: 6,
      callbacks: [kill, first],
      signal: kill.controller.signal,
    });
    expect(first.lastSavedEpoch).toBe(3);

    const saved = await store.read('run');
    const { model, initialEpoch, history, extra } = restoreTrainingState(saved!);
    expect([initialEpoch, history.epoch, extra]).toEqual([3, [0, 1, 2], { dataset: 'classes' }]);
    const second = new ModelCheckpoint({ save, history, extra });
    const resumed = await model.fit(data.x, data.y, {
      ...fitOptions,
      epochs: 6,
      initialEpoch,
      history,
      callbacks: [second],
    });
    expect(resumed.epoch).toEqual([0, 1, 2, 3, 4, 5]);
    expect(resumed.toJSON()).toEqual(straight.toJSON());
    expect(await weightValues(model)).toEqual(await weightValues(straightModel));
    // The last state saved holds the whole run too.
    const last = await store.read('run');
    expect([last!.epoch, last!.history]).toEqual([6, straight.toJSON()]);
  });

  it('saves only improving epochs with saveBestOnly, with that epoch’s weights and optimizer state', async () => {
    const saved: { state: TrainingState; best: number | undefined }[] = [];
    const model = tinyModel(new SGD({ learningRate: 0.1, momentum: 0.9 }));
    const script = new ScriptedLogs('val_loss', [1, 0.7, 0.8, 0.6, 0.65]);
    const cp: ModelCheckpoint = new ModelCheckpoint({
      save: (state) => void saved.push({ state, best: cp.best }),
      saveBestOnly: true,
    });
    await model.fit(tinyData.x, tinyData.y, { epochs: 5, batchSize: 8, callbacks: [script, cp] });
    // A state's epoch counts epochs completed: epochs 0, 1 and 3 improved.
    expect(saved.map((c) => c.state.epoch)).toEqual([1, 2, 4]);
    expect(saved.map((c) => c.best)).toEqual([1, 0.7, 0.6]);
    expect(cp.savedEpochs).toEqual([1, 2, 4]);
    const { state } = saved[1];
    const weights = decodeSafetensors(state.weights).tensors;
    expect(Object.fromEntries([...weights].map(([k, v]) => [k, Array.from(v.data)]))).toEqual(
      plain(script.weightsAt.get(1)!),
    );
    // Three batches per epoch: the state saved after epoch 1 is that of 6 updates.
    expect(state.optimizerState.iterations).toBe(6);
    expect([...decodeSafetensors(state.optimizerState.slots).tensors.keys()]).toContain(
      'dense_1.kernel.momentum',
    );
    expect(state.history.history.val_loss).toEqual([1, 0.7]);
    // Plain data: it survives a structured clone (IndexedDB, postMessage) unchanged.
    expect(structuredClone(state)).toEqual(state);
  });

  it('with saveBestOnly, an epoch whose save failed does not count as the best saved', async () => {
    const saved: number[] = [];
    const script = new ScriptedLogs('val_loss', [1, 0.7, 0.8, 0.6, 0.65]);
    const cp = new ModelCheckpoint({
      save: (state) => {
        if (state.epoch === 4) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        saved.push(state.epoch);
      },
      saveBestOnly: true,
      onError: () => {},
    });
    await tinyModel().fit(tinyData.x, tinyData.y, { epochs: 5, batchSize: 8, callbacks: [script, cp] });
    // 0.65 (epoch 4) beats 0.7, the best the store still holds.
    expect(saved).toEqual([1, 2, 5]);
    expect([cp.best, cp.lastSavedEpoch, cp.lastError]).toEqual([0.65, 5, null]);
  });

  it('with saveBestOnly, an accuracy-like monitor is maximised and a missing one warns once', async () => {
    const saved: number[] = [];
    const script = new ScriptedLogs('val_accuracy', [0.5, 0.7, 0.6, 0.9]);
    const best = new ModelCheckpoint({
      save: (state) => void saved.push(state.epoch),
      monitor: 'val_accuracy',
      saveBestOnly: true,
    });
    const warnings: string[] = [];
    const missing = new ModelCheckpoint({
      save: () => {
        throw new Error('nothing is monitored, so nothing is saved');
      },
      monitor: 'val_auc',
      saveBestOnly: true,
      warn: (m) => warnings.push(m),
    });
    await tinyModel().fit(tinyData.x, tinyData.y, {
      epochs: 4,
      batchSize: 8,
      callbacks: [script, best, missing],
    });
    expect([best.mode, saved, best.best]).toEqual(['max', [1, 2, 4], 0.9]);
    expect([missing.savedEpochs, missing.lastError, warnings.length]).toEqual([[], null, 1]);
    expect(warnings[0]).toContain("ModelCheckpoint: 'val_auc' is not in the epoch logs");
  });

  it('saves every saveFreq-th epoch otherwise', async () => {
    const epochs: number[] = [];
    const checkpoint = new ModelCheckpoint({ save: async (s) => void epochs.push(s.epoch), saveFreq: 2 });
    await compiledMlp(1).fit(data.x, data.y, { ...fitOptions, epochs: 5, callbacks: [checkpoint] });
    expect(epochs).toEqual([2, 4]);
    expect(checkpoint.savedEpochs).toEqual([2, 4]);
  });

  it('a failing save is reported and training goes on', async () => {
    const errors: [string, number][] = [];
    let calls = 0;
    const checkpoint = new ModelCheckpoint({
      save: async () => {
        calls++;
        if (calls <= 2) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      },
      onError: (e, epoch) => errors.push([(e as Error).name, epoch]),
    });
    const history = await compiledMlp(1).fit(data.x, data.y, {
      ...fitOptions,
      epochs: 3,
      callbacks: [checkpoint],
    });
    expect(history.epoch).toEqual([0, 1, 2]);
    expect(errors).toEqual([
      ['QuotaExceededError', 0],
      ['QuotaExceededError', 1],
    ]);
    expect(checkpoint.lastError).toBeNull();
    expect(checkpoint.lastSavedEpoch).toBe(3);
  });

  it('refuses bad options', () => {
    expectError(
      // @ts-expect-error save is required
      () => new ModelCheckpoint({}),
      InvalidArgumentError,
      'ModelCheckpoint(save=undefined): options.save must be a function',
    );
    expectError(
      () => new ModelCheckpoint({ save: () => {}, saveFreq: 0 }),
      InvalidArgumentError,
      'ModelCheckpoint(saveFreq=0): saveFreq must be a positive integer',
    );
    expectError(
      () => new ModelCheckpoint({ save: () => {}, mode: 'best' as never }),
      InvalidArgumentError,
      "ModelCheckpoint(mode=best): mode must be 'auto', 'min' or 'max'",
    );
  });
});
