/**
 * TrainingStateCheckpoint: a run killed in the middle of an epoch resumes from the last saved
 * state and ends as an uninterrupted run ends, every epoch in its History once.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  Callback,
  InvalidArgumentError,
  restoreTrainingState,
  type TrainingState,
  TrainingStateCheckpoint,
} from '../../src/index';
import { CheckpointStore } from '../../src/io/storage/index';
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

describe('TrainingStateCheckpoint', () => {
  it('a run killed mid-epoch resumes from IndexedDB and matches an uninterrupted run', async () => {
    const straightModel = compiledMlp(5);
    const straight = await straightModel.fit(data.x, data.y, { ...fitOptions, epochs: 6 });

    const store = new CheckpointStore('checkpoint-callback-test');
    const save = (s: TrainingState) => store.write({ runId: 'run', ...s, run: s.extra });
    const kill = new KillMidEpoch(3);
    const first = new TrainingStateCheckpoint({ save, extra: { dataset: 'classes' } });
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
    const second = new TrainingStateCheckpoint({ save, history, extra });
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

  it('saves every n-th epoch', async () => {
    const epochs: number[] = [];
    const checkpoint = new TrainingStateCheckpoint({ save: (s) => void epochs.push(s.epoch), every: 2 });
    await compiledMlp(1).fit(data.x, data.y, { ...fitOptions, epochs: 5, callbacks: [checkpoint] });
    expect(epochs).toEqual([2, 4]);
  });

  it('a failing save is reported and training goes on', async () => {
    const errors: [string, number][] = [];
    let calls = 0;
    const checkpoint = new TrainingStateCheckpoint({
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
      () => new TrainingStateCheckpoint({}),
      InvalidArgumentError,
      'options.save must be a function',
    );
    expectError(
      () => new TrainingStateCheckpoint({ save: () => {}, every: 0 }),
      InvalidArgumentError,
      'TrainingStateCheckpoint(every=0): every must be a positive integer',
    );
  });
});
