/**
 * ModelCheckpoint: hands a checkpoint (host copies of the weights, the optimizer state, the epoch
 * and its logs) to a `save` function after every epoch, or only after epochs that improve the
 * monitored value. Where it goes is the caller's choice: the app passes a function that encodes
 * the weights and writes them to IndexedDB through src/io's CheckpointStore, so src/nn needs no
 * storage code.
 */
import { InvalidArgumentError } from '../../errors';
import type { OptimizerState } from '../optimizers/optimizer';
import { Callback, type Logs } from './callback';
import { improves, MonitoredValue, type MonitorMode, resolveMode } from './monitor';
import { snapshotWeights, type WeightsSnapshot } from './weights-snapshot';

export interface ModelCheckpointData {
  /** The epoch just finished. */
  epoch: number;
  /** That epoch's logs. */
  logs: Logs;
  /** Host copies of every weight, by name. */
  weights: WeightsSnapshot;
  /** The optimizer's step count and slots (moments), so a resumed run continues exactly. */
  optimizerState: OptimizerState;
  /** The monitored value, when saveBestOnly. */
  best?: number;
}

export interface ModelCheckpointOptions {
  save: (checkpoint: ModelCheckpointData) => void | Promise<void>;
  /** Default 'val_loss'; read only with saveBestOnly. */
  monitor?: string;
  /** Save only when the monitored value improves on the best so far. Default false. */
  saveBestOnly?: boolean;
  mode?: MonitorMode;
  /** Save every this many epochs (ignored with saveBestOnly). Default 1. */
  saveFreq?: number;
  warn?: (message: string) => void;
}

export class ModelCheckpoint extends Callback {
  readonly mode: 'min' | 'max';
  /** The epochs saved during the current fit. */
  readonly savedEpochs: number[] = [];
  best: number | undefined;
  private readonly value: MonitoredValue;
  private readonly saveFreq: number;

  constructor(private readonly options: ModelCheckpointOptions) {
    super();
    if (typeof options?.save !== 'function') {
      throw new InvalidArgumentError(
        `ModelCheckpoint(save=${String(options?.save)}): save must be a function receiving the checkpoint`,
      );
    }
    const monitor = options.monitor ?? 'val_loss';
    this.mode = resolveMode('ModelCheckpoint', monitor, options.mode ?? 'auto');
    this.saveFreq = options.saveFreq ?? 1;
    if (!Number.isInteger(this.saveFreq) || this.saveFreq < 1) {
      throw new InvalidArgumentError(
        `ModelCheckpoint(saveFreq=${options.saveFreq}): saveFreq must be a positive integer`,
      );
    }
    this.value = new MonitoredValue('ModelCheckpoint', monitor, options.warn);
  }

  override onTrainBegin(): void {
    this.best = undefined;
    this.savedEpochs.length = 0;
    this.value.reset();
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (this.options.saveBestOnly) {
      const current = this.value.read(logs);
      if (current === undefined || !improves(this.mode, 0, current, this.best)) return;
      this.best = current;
    } else if ((epoch + 1) % this.saveFreq !== 0) {
      return;
    }
    const model = this.requireModel();
    const state = model.requireCompiled('ModelCheckpoint').optimizer.getState();
    await this.options.save({
      epoch,
      logs: { ...logs },
      weights: await snapshotWeights(model),
      optimizerState: { iterations: state.iterations, slots: new Map(state.slots) },
      ...(this.options.saveBestOnly ? { best: this.best } : {}),
    });
    this.savedEpochs.push(epoch);
  }
}
