/** The line per epoch fit prints with verbose > 0: `epoch 3/10 - loss: 0.4121 - accuracy: 0.8750`. */
import { Callback, type Logs } from './callback';

export class ProgressLogger extends Callback {
  constructor(private readonly print: (line: string) => void = console.log) {
    super();
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const values = Object.entries(logs).map(([k, v]) => `${k}: ${v.toFixed(4)}`);
    this.print([`epoch ${epoch + 1}/${this.params?.epochs ?? '?'}`, ...values].join(' - '));
  }
}
