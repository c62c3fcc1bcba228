/**
 * Progress with an ETA, for a progress bar: after each batch, how far the run is and how long the
 * rest should take. The estimate is wall time so far per batch done, times batches left; time
 * spent on validation and callbacks of finished epochs is inside "time so far", so it is counted.
 */
import { Callback, type Logs } from '../model/callback';

export interface Progress {
  epoch: number;
  /** Batch index within the epoch. */
  batch: number;
  /** Batches per epoch. */
  steps: number;
  /** Fraction of the whole run done, in [0, 1]. */
  fraction: number;
  /** Seconds since training began. */
  elapsed: number;
  /** Seconds estimated until this epoch's last batch. */
  epochEta: number;
  /** Seconds estimated until the run's last batch. */
  eta: number;
  /** The running batch logs (loss, metrics). */
  logs: Logs;
}

export interface ProgressEtaOptions {
  onProgress: (progress: Progress) => void;
  /** Clock in seconds (tests pass a fake one). Default performance.now() / 1000. */
  now?: () => number;
}

export class ProgressEta extends Callback {
  private readonly now: () => number;
  private start = 0;
  private done = 0;
  private total = 0;
  private epoch = 0;

  constructor(private readonly options: ProgressEtaOptions) {
    super();
    this.now = options.now ?? (() => performance.now() / 1000);
  }

  override onTrainBegin(): void {
    const p = this.params;
    this.start = this.now();
    this.done = 0;
    this.total = p ? p.steps * Math.max(0, p.epochs - p.initialEpoch) : 0;
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  override onBatchEnd(batch: number, logs: Logs): void {
    this.done++;
    const steps = this.params?.steps ?? batch + 1;
    const elapsed = this.now() - this.start;
    const perBatch = elapsed / this.done;
    this.options.onProgress({
      epoch: this.epoch,
      batch,
      steps,
      fraction: this.total > 0 ? Math.min(1, this.done / this.total) : 0,
      elapsed,
      epochEta: Math.max(0, steps - batch - 1) * perBatch,
      eta: Math.max(0, this.total - this.done) * perBatch,
      logs: { ...logs },
    });
  }
}
