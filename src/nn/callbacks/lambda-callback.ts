/** A callback from plain functions, for one-off hooks without a class: `new LambdaCallback({ onEpochEnd })`. */

import { Callback, type Logs, type RecoveredInfo } from '../model/callback';
import type { Sequential } from '../model/sequential';

type Hook<A extends unknown[]> = (...args: [...A, Sequential]) => void | Promise<void>;

export interface LambdaHooks {
  onTrainBegin?: Hook<[logs: Logs]>;
  onTrainEnd?: Hook<[logs: Logs]>;
  onEpochBegin?: Hook<[epoch: number, logs: Logs]>;
  onEpochEnd?: Hook<[epoch: number, logs: Logs]>;
  onBatchBegin?: Hook<[batch: number, logs: Logs]>;
  onBatchEnd?: Hook<[batch: number, logs: Logs]>;
  onRecovered?: Hook<[info: RecoveredInfo]>;
}

/** Each given function runs at its hook, with the hook's arguments and the model last. */
export class LambdaCallback extends Callback {
  constructor(private readonly hooks: LambdaHooks) {
    super();
  }

  override onTrainBegin(logs: Logs) {
    return this.hooks.onTrainBegin?.(logs, this.requireModel());
  }

  override onTrainEnd(logs: Logs) {
    return this.hooks.onTrainEnd?.(logs, this.requireModel());
  }

  override onEpochBegin(epoch: number, logs: Logs) {
    return this.hooks.onEpochBegin?.(epoch, logs, this.requireModel());
  }

  override onEpochEnd(epoch: number, logs: Logs) {
    return this.hooks.onEpochEnd?.(epoch, logs, this.requireModel());
  }

  override onBatchBegin(batch: number, logs: Logs) {
    return this.hooks.onBatchBegin?.(batch, logs, this.requireModel());
  }

  override onBatchEnd(batch: number, logs: Logs) {
    return this.hooks.onBatchEnd?.(batch, logs, this.requireModel());
  }

  override onRecovered(info: RecoveredInfo) {
    return this.hooks.onRecovered?.(info, this.requireModel());
  }
}
