/**
 * Callbacks: hooks fit calls around training, epochs and batches, with Keras's log names (`loss`,
 * `accuracy`, `val_loss`, `val_accuracy`). A hook may return a promise; fit awaits it. A callback
 * stops training by setting `model.stopTraining = true`.
 */
import { ModelStateError } from '../errors';
import type { Sequential } from './sequential';

/** Metric values by log name. */
export type Logs = Record<string, number>;

/**
 * A recovery fit made: the device it trained on was lost (or could not allocate), and training went
 * on from the last-good state of `epoch` completed epochs on another backend.
 */
export interface RecoveredInfo {
  /** The epoch fit went on from (the interrupted one, re-run from its start). */
  epoch: number;
  /** The backend that failed and the one that replaced it (their descriptions). */
  from: string;
  to: string;
  /** The fault's message. */
  cause: string;
}

/** What fit tells callbacks about the run before it starts. */
export interface TrainingParams {
  epochs: number;
  initialEpoch: number;
  /** Batches per epoch. */
  steps: number;
  samples: number;
  batchSize: number;
  verbose: number;
  /** Every log key an epoch reports, training and validation. */
  metrics: string[];
}

export class Callback {
  /** The model being trained; set by fit before onTrainBegin. */
  model: Sequential | null = null;
  params: TrainingParams | null = null;

  setModel(model: Sequential): void {
    this.model = model;
  }

  setParams(params: TrainingParams): void {
    this.params = params;
  }

  /** The model, for hooks that need it; an error naming the callback when fit has not set it. */
  protected requireModel(): Sequential {
    if (!this.model) {
      throw new ModelStateError(
        `${this.constructor.name}: no model is set; pass the callback to fit({ callbacks }) (or call setModel)`,
      );
    }
    return this.model;
  }

  onTrainBegin(_logs: Logs): void | Promise<void> {}
  onTrainEnd(_logs: Logs): void | Promise<void> {}
  onEpochBegin(_epoch: number, _logs: Logs): void | Promise<void> {}
  onEpochEnd(_epoch: number, _logs: Logs): void | Promise<void> {}
  onBatchBegin(_batch: number, _logs: Logs): void | Promise<void> {}
  onBatchEnd(_batch: number, _logs: Logs): void | Promise<void> {}
  /** Not in Keras: fit recovered from a device fault and goes on (see RecoveredInfo). */
  onRecovered(_info: RecoveredInfo): void | Promise<void> {}
}

/** Calls every callback's hook in order, awaiting each. */
export class CallbackList {
  constructor(readonly callbacks: readonly Callback[]) {}

  configure(model: Sequential, params: TrainingParams): void {
    for (const c of this.callbacks) {
      c.setModel(model);
      c.setParams(params);
    }
  }

  async trainBegin(logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onTrainBegin({ ...logs });
  }

  async trainEnd(logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onTrainEnd({ ...logs });
  }

  async epochBegin(epoch: number, logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onEpochBegin(epoch, { ...logs });
  }

  /**
   * One logs object goes through every callback, as in Keras, so a key a callback adds (`lr` from
   * ReduceLROnPlateau) reaches the callbacks after it, History last among them.
   */
  async epochEnd(epoch: number, logs: Logs): Promise<void> {
    this.epochEndAt = { epoch, next: 0, logs: { ...logs } };
    await this.resumeEpochEnd();
  }

  /** Where an epochEnd stands: the callbacks before `next` have run. */
  private epochEndAt: { epoch: number; next: number; logs: Logs } | null = null;

  /**
   * Runs the rest of an epochEnd that a fault interrupted (fit recovered in between): the callback
   * that was running is called again, the ones before it are not.
   */
  async resumeEpochEnd(): Promise<void> {
    const at = this.epochEndAt;
    if (!at) return;
    for (; at.next < this.callbacks.length; at.next++) {
      await this.callbacks[at.next].onEpochEnd(at.epoch, at.logs);
    }
    this.epochEndAt = null;
  }

  async recovered(info: RecoveredInfo): Promise<void> {
    for (const c of this.callbacks) await c.onRecovered({ ...info });
  }

  async batchBegin(batch: number, logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onBatchBegin(batch, { ...logs });
  }

  async batchEnd(batch: number, logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onBatchEnd(batch, { ...logs });
  }
}
