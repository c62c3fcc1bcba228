/**
 * TrainingStateCheckpoint: a callback that captures the training state at the end of every epoch
 * (or every n) and hands it to `save`, e.g. an IndexedDB write. fit's own History records an epoch
 * only after every user callback has run, so this callback keeps its own copy of the History
 * (seeded from the resumed run's) with the finished epoch already in it: a state saved after
 * epoch e resumes at e + 1 with epochs 0..e recorded once each.
 *
 * A failed save (storage quota, a closed database) does not stop training: it is passed to
 * `onError` and kept in `lastError`, so the page can tell the user checkpoints are not being saved.
 */
import { InvalidArgumentError } from '../errors';
import { Callback, type Logs } from '../nn/callbacks/callback';
import { History } from '../nn/callbacks/history';
import { captureTrainingState, type TrainingState } from './checkpoint';

export interface TrainingStateCheckpointOptions {
  /** Stores a state, e.g. `(s) => store.write({ runId, ...s, run: s.extra })`; may return a promise. */
  save: (state: TrainingState) => void | Promise<void>;
  /** The History given to fit({ history }) when resuming, so saved states hold the whole run. */
  history?: History;
  /** The caller's data saved with each state (or a function giving it at save time). */
  extra?: Record<string, unknown> | (() => Record<string, unknown>);
  /** More metadata strings for the weights file. */
  metadata?: Record<string, string>;
  /** Save after every n-th epoch (default 1). */
  every?: number;
  /** Told of each failed capture or save (default: console.warn); training goes on. */
  onError?: (error: unknown, epoch: number) => void;
}

export class TrainingStateCheckpoint extends Callback {
  /** The error of the last failed save, or null once a later save succeeds. */
  lastError: unknown = null;
  /** Epochs completed at the last successful save, or null before the first. */
  lastSavedEpoch: number | null = null;
  private record = new History();
  private readonly options: TrainingStateCheckpointOptions;

  constructor(options: TrainingStateCheckpointOptions) {
    super();
    if (typeof options?.save !== 'function') {
      throw new InvalidArgumentError('TrainingStateCheckpoint: options.save must be a function');
    }
    const every = options.every ?? 1;
    if (!Number.isInteger(every) || every < 1) {
      throw new InvalidArgumentError(
        `TrainingStateCheckpoint(every=${options.every}): every must be a positive integer`,
      );
    }
    this.options = { ...options, every };
  }

  override onTrainBegin(): void {
    this.record = this.options.history ? History.fromJSON(this.options.history.toJSON()) : new History();
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    this.record.onEpochEnd(epoch, logs);
    if ((epoch + 1) % this.options.every! !== 0) return;
    const { extra, metadata, save, onError } = this.options;
    try {
      const state = await captureTrainingState(this.requireModel(), {
        epoch: epoch + 1,
        history: this.record,
        extra: typeof extra === 'function' ? extra() : extra,
        metadata,
      });
      await save(state);
      this.lastError = null;
      this.lastSavedEpoch = epoch + 1;
    } catch (error) {
      this.lastError = error;
      if (onError) onError(error, epoch);
      else console.warn(`TrainingStateCheckpoint: the state after epoch ${epoch} was not saved:`, error);
    }
  }
}
