/**
 * EarlyStopping, as Keras's: stop when a monitored log value has not improved for `patience`
 * epochs, and optionally put back the weights of the best epoch.
 *
 * The best weights are a host copy taken at the best epoch (see weights-snapshot.ts), never a
 * reference to tensors later training could change. The first copy is of the weights at train
 * begin, so there is always one. They are restored at train end however training ended (this
 * callback stopped it, the epochs ran out, another callback or an abort stopped it), provided at
 * least one epoch was monitored: with none, nothing was compared and the weights stay as trained.
 *
 * `baseline` is where "best" starts: an epoch improves only if it beats it. When no monitored
 * epoch beats the baseline, the weights from before this fit are the best, and those are what
 * restoreBestWeights puts back (e.g. a resumed run that never beat its checkpoint's val_loss).
 */
import { InvalidArgumentError } from '../../errors';
import { Callback, type Logs } from '../model/callback';
import { Monitor, type MonitorOptions, nonNegativeInteger, nonNegativeNumber } from './monitor';
import { restoreWeights, snapshotWeights, type WeightsSnapshot } from './weights-snapshot';

export interface EarlyStoppingOptions extends MonitorOptions {
  /** How much a value must beat the best to count as an improvement. Default 0. */
  minDelta?: number;
  /** Epochs without improvement after which training stops. Default 0. */
  patience?: number;
  /** A value the monitored quantity must beat to count as an improvement at all. */
  baseline?: number;
  /** Put back the best epoch's weights when training ends. Default false. */
  restoreBestWeights?: boolean;
  /** Epochs before this one are not monitored (a warm-up). Default 0. */
  startFromEpoch?: number;
  /** 1 prints a line when it stops and when it restores. Default 0. */
  verbose?: number;
}

export interface EarlyStoppingJSON {
  monitor: string;
  mode: 'min' | 'max';
  minDelta: number;
  patience: number;
  restoreBestWeights: boolean;
  startFromEpoch: number;
  verbose: number;
  baseline: number | null;
  best: number | null;
  bestEpoch: number | null;
  stoppedEpoch: number | null;
  wait: number;
  monitoredEpochs: number;
}

export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  private readonly options: Required<Omit<EarlyStoppingOptions, 'baseline' | keyof MonitorOptions>>;
  private readonly baseline: number | undefined;
  private readonly value: Monitor;
  /** The best monitored value so far (the baseline until an epoch beats it). */
  best: number | undefined;
  /** The epoch whose weights are the best; null while they are the weights from train begin. */
  bestEpoch: number | null = null;
  /** The epoch at which this callback stopped training, or null. */
  stoppedEpoch: number | null = null;
  /** True once onTrainEnd has put the best weights back. */
  restored = false;
  /** Epochs without improvement since the last one. */
  wait = 0;
  private monitoredEpochs = 0;
  private bestSnapshot: WeightsSnapshot | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    super();
    const owner = 'EarlyStopping';
    this.value = new Monitor(owner, options);
    this.monitor = this.value.monitor;
    this.mode = this.value.mode;
    this.options = {
      minDelta: nonNegativeNumber(owner, 'minDelta', options.minDelta ?? 0),
      patience: nonNegativeInteger(owner, 'patience', options.patience ?? 0),
      restoreBestWeights: options.restoreBestWeights ?? false,
      startFromEpoch: nonNegativeInteger(owner, 'startFromEpoch', options.startFromEpoch ?? 0),
      verbose: options.verbose ?? 0,
    };
    if (options.baseline !== undefined && !Number.isFinite(options.baseline)) {
      throw new InvalidArgumentError(
        `${owner}(baseline=${options.baseline}): baseline must be a finite number`,
      );
    }
    this.baseline = options.baseline;
  }

  /**
   * Options and counters as plain data, e.g. for a run continued elsewhere (exportTrainingBundle):
   * `best` is null until an epoch beats the baseline (or the first one is monitored).
   */
  toJSON(): EarlyStoppingJSON {
    return {
      monitor: this.monitor,
      mode: this.mode,
      ...this.options,
      baseline: this.baseline ?? null,
      best: this.best ?? null,
      bestEpoch: this.bestEpoch,
      stoppedEpoch: this.stoppedEpoch,
      wait: this.wait,
      monitoredEpochs: this.monitoredEpochs,
    };
  }

  /** The stored best weights (host copies), or null without restoreBestWeights. */
  get bestWeights(): WeightsSnapshot | null {
    return this.bestSnapshot;
  }

  override async onTrainBegin(): Promise<void> {
    this.best = this.baseline;
    this.bestEpoch = null;
    this.stoppedEpoch = null;
    this.restored = false;
    this.wait = 0;
    this.monitoredEpochs = 0;
    this.value.reset();
    this.bestSnapshot = this.options.restoreBestWeights ? await snapshotWeights(this.requireModel()) : null;
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (epoch < this.options.startFromEpoch) return;
    const current = this.value.read(logs);
    if (current === undefined) return;
    this.monitoredEpochs++;
    if (this.value.improves(current, this.best, this.options.minDelta)) {
      this.best = current;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.options.restoreBestWeights) this.bestSnapshot = await snapshotWeights(this.requireModel());
      return;
    }
    this.wait++;
    if (this.wait >= this.options.patience) {
      this.stoppedEpoch = epoch;
      this.requireModel().stopTraining = true;
      if (this.options.verbose > 0) {
        console.log(
          `EarlyStopping: epoch ${epoch + 1}: no ${this.monitor} improvement in ${this.wait} epochs; stopping`,
        );
      }
    }
  }

  override onTrainEnd(): void {
    if (!this.bestSnapshot || this.monitoredEpochs === 0) return;
    restoreWeights(this.requireModel(), this.bestSnapshot);
    this.restored = true;
    if (this.options.verbose > 0) {
      const from = this.bestEpoch === null ? 'from before training' : `of epoch ${this.bestEpoch + 1}`;
      console.log(`EarlyStopping: restored the weights ${from} (${this.monitor} ${this.best})`);
    }
  }
}
