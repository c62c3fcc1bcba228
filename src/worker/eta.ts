/**
 * Time left in a training run, measured in the Worker on its own clock at every batch: the page
 * hears of a batch only every ~50 ms (progress-outbox.ts), too rarely to measure a batch's time.
 * Two rates are smoothed apart (exponential moving averages): the seconds per training batch, and
 * the seconds each epoch spends outside its batches (validation, the checkpoint, the weight
 * histograms), measured as the gap between an epoch's last batch and the next epoch's first, less
 * one batch. An average over the epoch so far (what the Worker reports as samples/s) leaves that
 * second part out and restarts at every epoch, so it under-estimates and jumps; this does neither.
 */
export interface EtaOptions {
  /** Weight of the newest measurement in each average, in (0, 1]. Default 0.1. */
  alpha?: number;
}

export class EtaEstimator {
  private readonly alpha: number;
  private epochs = 0;
  private steps = 0;
  private last: { epoch: number; batch: number; time: number } | null = null;
  private secondsPerBatch: number | null = null;
  private secondsPerEpochEnd = 0;
  private epochEndsSeen = 0;

  constructor(options: EtaOptions = {}) {
    this.alpha = options.alpha ?? 0.1;
  }

  /** A new run (or a resumed one) of `epochs` epochs of `steps` batches each. */
  reset(epochs: number, steps: number): void {
    this.epochs = epochs;
    this.steps = steps;
    this.last = null;
    this.secondsPerBatch = null;
    this.secondsPerEpochEnd = 0;
    this.epochEndsSeen = 0;
  }

  /** Training paused: the time until the next batch is not the run's speed, so it is not measured. */
  interrupt(): void {
    this.last = null;
  }

  /** Batch `batch` of epoch `epoch` ended at `time` seconds on the Worker's clock. */
  batch(epoch: number, batch: number, time: number): void {
    const last = this.last;
    this.last = { epoch, batch, time };
    if (!last) return;
    const gap = time - last.time;
    if (!(gap >= 0)) return;
    if (epoch === last.epoch && batch === last.batch + 1) {
      this.secondsPerBatch = this.average(this.secondsPerBatch, gap);
    } else if (epoch === last.epoch + 1 && batch === 0 && this.secondsPerBatch !== null) {
      const epochEnd = Math.max(0, gap - this.secondsPerBatch);
      // The first epoch end seen is taken as it is; averaging it with 0 would halve it.
      this.secondsPerEpochEnd =
        this.epochEndsSeen === 0 ? epochEnd : this.average(this.secondsPerEpochEnd, epochEnd);
      this.epochEndsSeen++;
    }
  }

  /** Seconds until the last epoch ends, or null before two batches have given a speed. */
  secondsLeft(): number | null {
    const last = this.last;
    if (!last || this.secondsPerBatch === null) return null;
    const batchesLeft = Math.max(0, this.epochs * this.steps - (last.epoch * this.steps + last.batch + 1));
    // Every epoch still to finish has an end, the current one included.
    const epochEndsLeft = Math.max(0, this.epochs - last.epoch);
    return batchesLeft * this.secondsPerBatch + epochEndsLeft * this.secondsPerEpochEnd;
  }

  private average(previous: number | null, value: number): number {
    return previous === null ? value : previous + this.alpha * (value - previous);
  }
}
