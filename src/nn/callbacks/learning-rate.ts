/**
 * Callbacks that change the optimizer's learning rate between epochs: ReduceLROnPlateau and
 * LearningRateScheduler, as in Keras. Both write the rate the epoch trained with to the epoch
 * logs as `lr`, so it lands in History. Both need an optimizer with a number for its rate (a
 * schedule-driven optimizer refuses to have its rate set; see Optimizer.learningRate).
 */
import { InvalidArgumentError } from '../../errors';
import { Callback, type Logs } from '../model/callback';
import type { Optimizer } from '../optimizers/optimizer';
import { Monitor, type MonitorOptions, nonNegativeInteger, nonNegativeNumber } from './monitor';

/** One change of the learning rate, for charts and tests. */
export interface RateChange {
  epoch: number;
  from: number;
  to: number;
}

abstract class RateCallback extends Callback {
  /** Every change made during the current fit. */
  readonly changes: RateChange[] = [];

  protected optimizer(owner: string): Optimizer {
    const optimizer = this.requireModel().requireCompiled(owner).optimizer;
    if (optimizer.hasSchedule) {
      throw new InvalidArgumentError(
        `${owner}: the optimizer's rate follows a schedule, which this callback would overwrite; give the optimizer a number for learningRate`,
      );
    }
    return optimizer;
  }
}

export interface ReduceLROnPlateauOptions extends MonitorOptions {
  /** The rate is multiplied by this, in (0, 1). Default 0.1. */
  factor?: number;
  /** Epochs without improvement before a reduction. Default 10. */
  patience?: number;
  /** How much a value must beat the best to count as an improvement. Default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again. Default 0. */
  cooldown?: number;
  /** The rate never goes below this. Default 0. */
  minLr?: number;
  verbose?: number;
}

export interface ReduceLROnPlateauJSON {
  monitor: string;
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  minDelta: number;
  cooldown: number;
  minLr: number;
  verbose: number;
  best: number | null;
  wait: number;
  cooldownLeft: number;
}

/** Multiplies the rate by `factor` once the monitored value has not improved for `patience` epochs. */
export class ReduceLROnPlateau extends RateCallback {
  readonly mode: 'min' | 'max';
  private readonly o: Required<Omit<ReduceLROnPlateauOptions, keyof MonitorOptions>>;
  private readonly value: Monitor;
  best: number | undefined;
  wait = 0;
  private cooldownLeft = 0;

  constructor(options: ReduceLROnPlateauOptions = {}) {
    super();
    const owner = 'ReduceLROnPlateau';
    const factor = options.factor ?? 0.1;
    if (!(factor > 0 && factor < 1)) {
      throw new InvalidArgumentError(`${owner}(factor=${factor}): factor must be in (0, 1)`);
    }
    this.value = new Monitor(owner, options);
    this.mode = this.value.mode;
    this.o = {
      factor,
      patience: nonNegativeInteger(owner, 'patience', options.patience ?? 10),
      minDelta: nonNegativeNumber(owner, 'minDelta', options.minDelta ?? 1e-4),
      cooldown: nonNegativeInteger(owner, 'cooldown', options.cooldown ?? 0),
      minLr: nonNegativeNumber(owner, 'minLr', options.minLr ?? 0),
      verbose: options.verbose ?? 0,
    };
  }

  /** Options and counters as plain data (see EarlyStopping.toJSON). */
  toJSON(): ReduceLROnPlateauJSON {
    return {
      monitor: this.value.monitor,
      mode: this.mode,
      ...this.o,
      best: this.best ?? null,
      wait: this.wait,
      cooldownLeft: this.cooldownLeft,
    };
  }

  override onTrainBegin(): void {
    this.optimizer('ReduceLROnPlateau');
    this.best = undefined;
    this.wait = 0;
    this.cooldownLeft = 0;
    this.changes.length = 0;
    this.value.reset();
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const optimizer = this.optimizer('ReduceLROnPlateau');
    logs.lr = optimizer.learningRate;
    const current = this.value.read(logs);
    if (current === undefined) return;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.wait = 0;
    }
    if (this.value.improves(current, this.best, this.o.minDelta)) {
      this.best = current;
      this.wait = 0;
      return;
    }
    if (this.cooldownLeft > 0) return;
    this.wait++;
    if (this.wait < this.o.patience) return;
    const from = optimizer.learningRate;
    const to = Math.max(from * this.o.factor, this.o.minLr);
    if (to < from) {
      optimizer.learningRate = to;
      this.changes.push({ epoch, from, to });
      if (this.o.verbose > 0)
        console.log(`ReduceLROnPlateau: epoch ${epoch + 1}: learning rate ${from} -> ${to}`);
      this.cooldownLeft = this.o.cooldown;
      this.wait = 0;
    }
  }
}

/** `(epoch, currentRate) => newRate`, called before each epoch. */
export type RateSchedule = (epoch: number, learningRate: number) => number;

/** Sets the rate at the start of each epoch from a function of the epoch number. */
export class LearningRateScheduler extends RateCallback {
  constructor(
    private readonly schedule: RateSchedule,
    private readonly verbose = 0,
  ) {
    super();
    if (typeof schedule !== 'function') {
      throw new InvalidArgumentError(
        `LearningRateScheduler(schedule=${String(schedule)}): expected a function (epoch, learningRate) => number`,
      );
    }
  }

  override onTrainBegin(): void {
    this.optimizer('LearningRateScheduler');
    this.changes.length = 0;
  }

  override onEpochBegin(epoch: number): void {
    const optimizer = this.optimizer('LearningRateScheduler');
    const from = optimizer.learningRate;
    const to = this.schedule(epoch, from);
    if (typeof to !== 'number' || !(to > 0) || !Number.isFinite(to)) {
      throw new InvalidArgumentError(
        `LearningRateScheduler: the schedule returned ${String(to)} for epoch ${epoch}; expected a positive finite number`,
      );
    }
    if (to !== from) {
      optimizer.learningRate = to;
      this.changes.push({ epoch, from, to });
      if (this.verbose > 0) console.log(`LearningRateScheduler: epoch ${epoch + 1}: learning rate ${to}`);
    }
  }

  override onEpochEnd(_epoch: number, logs: Logs): void {
    logs.lr = this.optimizer('LearningRateScheduler').learningRate;
  }
}
