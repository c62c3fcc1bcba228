/**
 * ModelCheckpoint, with Keras's options (monitor, saveBestOnly, mode, saveFreq): after every
 * `saveFreq`-th epoch, or only after epochs that improve the monitored value, it captures the
 * training state (captureTrainingState: the weights file, the optimizer's step and slots, the
 * epochs completed, the History, the caller's extras) and hands it to `save`, e.g. an IndexedDB
 * write or a postMessage. The state is plain structured-cloneable data, so `save` may keep it as
 * it is: nothing in it is a tensor that later training could change.
 *
 * It lives in src/io, not with the other callbacks in src/nn, because the state is an io format.
 *
 * fit's own History records an epoch only after every user callback has run, so this callback
 * keeps its own copy of the History (seeded from the resumed run's) with the finished epoch
 * already in it: a state saved after epoch e resumes at e + 1 with epochs 0..e recorded once each.
 *
 * A failed save (storage quota, a closed database) does not stop training: it is passed to
 * `onError` and kept in `lastError`, so the page can tell the user checkpoints are not being saved.
 */
import { InvalidArgumentError } from '../errors';
import { Monitor, type MonitorOptions } from '../nn/callbacks/monitor';
import { Callback, type Logs } from '../nn/model/callback';
import { History } from '../nn/model/history';
import { captureTrainingState, type TrainingState } from './checkpoint';

/** `monitor` (default 'val_loss'), `mode` and `warn` are read only with saveBestOnly. */
export interface ModelCheckpointOptions extends MonitorOptions {
  /** Stores a state, e.g. `(s) => store.write({ runId, ...s, run: s.extra })`; may return a promise. */
  save: (state: TrainingState) => void | Promise<void>;
  /** Save only after epochs whose monitored value beats the best saved so far. Default false. */
  saveBestOnly?: boolean;
  /** Save after every n-th epoch (ignored with saveBestOnly). Default 1. */
  saveFreq?: number;
  /** The History given to fit({ history }) when resuming, so saved states hold the whole run. */
  history?: History;
  /** The caller's data saved with each state (or a function giving it at save time). */
  extra?: Record<string, unknown> | (() => Record<string, unknown>);
  /** More metadata strings for the weights file. */
  metadata?: Record<string, string>;
  /** Told of each failed capture or save (default: console.warn); training goes on. */
  onError?: (error: unknown, epoch: number) => void;
}

export class ModelCheckpoint extends Callback {
  readonly mode: 'min' | 'max';
  /** With saveBestOnly: the monitored value of the last state saved. */
  best: number | undefined;
  /** Epochs completed at each successful save during the current fit (each saved state's `epoch`). */
  readonly savedEpochs: number[] = [];
  /** The error of the last failed save, or null once a later save succeeds. */
  lastError: unknown = null;
  /** Epochs completed at the last successful save, or null before the first. */
  lastSavedEpoch: number | null = null;
  private record = new History();
  private readonly saveFreq: number;
  private readonly value: Monitor;

  constructor(private readonly options: ModelCheckpointOptions) {
    super();
    if (typeof options?.save !== 'function') {
      throw new InvalidArgumentError(
        `ModelCheckpoint(save=${String(options?.save)}): options.save must be a function receiving the training state`,
      );
    }
    this.value = new Monitor('ModelCheckpoint', options);
    this.mode = this.value.mode;
    this.saveFreq = options.saveFreq ?? 1;
    if (!Number.isInteger(this.saveFreq) || this.saveFreq < 1) {
      throw new InvalidArgumentError(
        `ModelCheckpoint(saveFreq=${options.saveFreq}): saveFreq must be a positive integer`,
      );
    }
  }

  override onTrainBegin(): void {
    this.record = this.options.history ? History.fromJSON(this.options.history.toJSON()) : new History();
    this.best = undefined;
    this.savedEpochs.length = 0;
    this.value.reset();
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    this.record.onEpochEnd(epoch, logs);
    const previousBest = this.best;
    if (this.options.saveBestOnly) {
      const current = this.value.read(logs);
      if (current === undefined || !this.value.improves(current, this.best)) return;
      this.best = current;
    } else if ((epoch + 1) % this.saveFreq !== 0) {
      return;
    }
    if (!(await this.capture(epoch))) {
      // The store still holds the previous best, so a later epoch that beats only that one is saved.
      this.best = previousBest;
    }
  }

  /** Captures and saves the state after `epoch`; false when that failed (reported, not thrown). */
  private async capture(epoch: number): Promise<boolean> {
    const { extra, metadata, save, onError } = this.options;
    try {
      const state = await captureTrainingState(this.requireModel(), {
        epoch: epoch + 1,
        history: this.record,
        extra: typeof extra === 'function' ? extra() : extra,
        metadata,
      });
      await save(state);
    } catch (error) {
      this.lastError = error;
      if (onError) onError(error, epoch);
      else console.warn(`ModelCheckpoint: the state after epoch ${epoch} was not saved:`, error);
      return false;
    }
    this.lastError = null;
    this.lastSavedEpoch = epoch + 1;
    this.savedEpochs.push(epoch + 1);
    return true;
  }
}
