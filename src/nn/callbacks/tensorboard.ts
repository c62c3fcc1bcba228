/**
 * TensorBoard: scalars per batch and per epoch and a histogram of every weight every
 * `histogramFreq` epochs, kept as plain data for the page to draw and written at the same time
 * as a real TensorBoard event file (see tfevents.ts) that `tensorboard --logdir` opens. The
 * histogram storage starts at train begin with the initial weights.
 *
 * Tags: `batch_<log>` at step = global batch index; `epoch_<log>` (val_ keys included, e.g.
 * `epoch_val_loss`, plus `epoch_lr`, the optimizer's rate, when no callback logged `lr`) at
 * step = epoch; each weight's name (`dense_1.kernel`) at step = epochs completed (0 for the
 * initial weights of a fresh run).
 */
import { InvalidArgumentError } from '../../errors';
import { Callback, type Logs, type TrainingParams } from '../model/callback';
import type { Sequential } from '../model/sequential';
import { fileVersionEvent, histogramEvent, scalarEvent, tfRecord } from './tfevents';
import { type WeightHistogramSnapshot, WeightHistograms } from './weight-histograms';

export interface ScalarPoint {
  tag: string;
  step: number;
  value: number;
  /** Seconds since the Unix epoch. */
  wallTime: number;
}

export interface TensorBoardOptions {
  /** Weight histograms every this many epochs (and at train begin); 0 for none. Default 1. */
  histogramFreq?: number;
  /** Bins per histogram. Default 30. */
  bins?: number;
  /** Batch scalars every this many batches; 0 for epoch scalars only. Default 1. */
  batchFreq?: number;
  /** The clock, in seconds (tests pass a fixed one). Default Date.now() / 1000. */
  now?: () => number;
}

export class TensorBoard extends Callback {
  /** Every scalar of the current fit, in the order written. */
  readonly scalars: ScalarPoint[] = [];
  private readonly weightHistograms: WeightHistograms | null;
  private readonly batchFreq: number;
  private readonly now: () => number;
  private records: Uint8Array[] = [];
  private epoch = 0;
  private startTime = 0;

  constructor(options: TensorBoardOptions = {}) {
    super();
    const freq = options.histogramFreq ?? 1;
    this.batchFreq = options.batchFreq ?? 1;
    if (!Number.isInteger(this.batchFreq) || this.batchFreq < 0) {
      throw new InvalidArgumentError(
        `TensorBoard(batchFreq=${options.batchFreq}): batchFreq must be a non-negative integer`,
      );
    }
    this.now = options.now ?? (() => Date.now() / 1000);
    this.weightHistograms =
      freq === 0
        ? null
        : new WeightHistograms({
            histogramFreq: freq,
            bins: options.bins,
            onSnapshot: (s) => this.writeHistograms(s),
          });
  }

  /** Every histogram snapshot of the current fit (the first one at train begin). */
  get histograms(): readonly WeightHistogramSnapshot[] {
    return this.weightHistograms?.snapshots ?? [];
  }

  /** The event file so far: what `tensorboard --logdir` reads, under `fileName`. */
  eventFile(): Uint8Array {
    const out = new Uint8Array(this.records.reduce((n, r) => n + r.length, 0));
    let offset = 0;
    for (const r of this.records) {
      out.set(r, offset);
      offset += r.length;
    }
    return out;
  }

  /** TensorBoard finds files by this prefix; the time makes each run's file distinct. */
  get fileName(): string {
    return `events.out.tfevents.${Math.floor(this.startTime)}.webgpu-trainer`;
  }

  override setModel(model: Sequential): void {
    super.setModel(model);
    this.weightHistograms?.setModel(model);
  }

  override setParams(params: TrainingParams): void {
    super.setParams(params);
    this.weightHistograms?.setParams(params);
  }

  override async onTrainBegin(): Promise<void> {
    this.startTime = this.now();
    this.scalars.length = 0;
    this.records = [tfRecord(fileVersionEvent(this.startTime))];
    await this.weightHistograms?.onTrainBegin();
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  override onBatchEnd(batch: number, logs: Logs): void {
    if (this.batchFreq === 0 || (batch + 1) % this.batchFreq !== 0) return;
    const step = this.epoch * (this.params?.steps ?? 0) + batch;
    for (const [key, value] of Object.entries(logs)) {
      if (key !== 'batch' && key !== 'size') this.writeScalar(`batch_${key}`, step, value);
    }
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    for (const [key, value] of Object.entries(logs)) this.writeScalar(`epoch_${key}`, epoch, value);
    // The rate is a scalar worth watching even without a callback that logs it.
    if (!('lr' in logs)) {
      this.writeScalar(
        'epoch_lr',
        epoch,
        this.requireModel().requireCompiled('TensorBoard').optimizer.learningRate,
      );
    }
    await this.weightHistograms?.onEpochEnd(epoch);
  }

  private writeScalar(tag: string, step: number, value: number): void {
    const wallTime = this.now();
    this.scalars.push({ tag, step, value, wallTime });
    this.records.push(tfRecord(scalarEvent(wallTime, step, tag, value)));
  }

  private writeHistograms(snapshot: WeightHistogramSnapshot): void {
    const wallTime = this.now();
    const step = snapshot.epoch + 1;
    for (const w of snapshot.weights) {
      const summary = {
        min: w.min,
        max: w.max,
        count: w.count,
        sum: w.mean * w.count,
        sumSquares: w.count * (w.std * w.std + w.mean * w.mean),
        bucketLimits: w.edges.slice(1),
        counts: w.counts,
      };
      this.records.push(tfRecord(histogramEvent(wallTime, step, w.name, summary)));
    }
  }
}
