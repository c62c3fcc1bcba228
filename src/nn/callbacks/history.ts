/** History: every epoch's logs, by log name, as fit returns them. */
import { Callback, type Logs } from './callback';

export interface HistoryJSON {
  epoch: number[];
  history: Record<string, number[]>;
  error: string | null;
}

export class History extends Callback {
  /** The epoch numbers recorded (from initialEpoch). */
  readonly epoch: number[] = [];
  /** Each log name's value per recorded epoch: `history.loss[i]` belongs to `epoch[i]`. */
  readonly history: Record<string, number[]> = {};
  /** Why training stopped early with a failure (a non-finite loss), or null. */
  error: string | null = null;
  /** True when training stopped before its last epoch (callback, stopTraining, signal or error). */
  stopped = false;

  override onEpochEnd(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs)) {
      const series = this.history[key] ?? [];
      // An epoch without this key (validation every n epochs) still keeps series aligned with epoch.
      while (series.length < this.epoch.length - 1) series.push(Number.NaN);
      series.push(value);
      this.history[key] = series;
    }
    // A key this epoch lacks (an undefined metric left out, see metricResults) gets NaN, a gap.
    for (const series of Object.values(this.history)) {
      if (series.length < this.epoch.length) series.push(Number.NaN);
    }
  }

  toJSON(): HistoryJSON {
    return { epoch: [...this.epoch], history: structuredClone(this.history), error: this.error };
  }

  /** A History from toJSON, e.g. from a checkpoint, that a resumed fit can continue. */
  static fromJSON(json: HistoryJSON): History {
    const h = new History();
    h.epoch.push(...json.epoch);
    for (const [key, values] of Object.entries(json.history)) h.history[key] = [...values];
    h.error = json.error;
    return h;
  }
}
