/**
 * TerminateOnNaN (Keras): stops training as soon as a logged loss is NaN or infinite. fit already
 * refuses a training step whose loss is not finite (the weights from before it are kept and
 * History.error says why); this callback also watches what fit does not: the validation loss at the
 * end of each epoch, and any other keys named in `monitor`.
 */
import { Callback, type Logs } from '../model/callback';

export interface TerminateOnNaNOptions {
  /** Log keys to watch in batch and epoch logs (default loss and val_loss). */
  monitor?: string[];
}

export class TerminateOnNaN extends Callback {
  /** Where training was stopped, or null. */
  terminated: { at: 'batch' | 'epoch'; index: number; key: string; value: number } | null = null;
  private readonly keys: string[];

  constructor(options: TerminateOnNaNOptions = {}) {
    super();
    this.keys = options.monitor ?? ['loss', 'val_loss'];
  }

  override onTrainBegin(): void {
    this.terminated = null;
  }

  override onBatchEnd(batch: number, logs: Logs): void {
    this.check('batch', batch, logs);
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    this.check('epoch', epoch, logs);
  }

  private check(at: 'batch' | 'epoch', index: number, logs: Logs): void {
    if (this.terminated) return;
    for (const key of this.keys) {
      const value = logs[key];
      if (value !== undefined && !Number.isFinite(value)) {
        this.terminated = { at, index, key, value };
        console.warn(`TerminateOnNaN: ${key} is ${value} at ${at} ${index}; stopping training`);
        if (this.model) this.model.stopTraining = true;
        return;
      }
    }
  }
}
