/** History: every epoch's logs, by log name, as fit returns them. */
import { Callback, type Logs, type RecoveredInfo } from './callback';

export interface HistoryJSON {
  epoch: number[];
  history: Record<string, number[]>;
  error: string | null;
  /** Recoveries from device faults (absent in files written before there were any). */
  recovered?: RecoveredInfo[];
}

export class History extends Callback {
  /** The epoch numbers recorded (from initialEpoch). */
  readonly epoch: number[] = [];
  /** Each log name's value per recorded epoch: `history.loss[i]` belongs to `epoch[i]`. */
  readonly history: Record<string, number[]> = {};
  /**
   * Why training stopped early with a failure, or null: a non-finite loss, or a loss that grew
   * 1,000x past its best (divergence). Either way the model was put back to its last-good state.
   */
  error: string | null = null;
  /** Each recovery from a device fault, in order: the epoch it went on from, the backends, why. */
  readonly recovered: RecoveredInfo[] = [];
  /** True when training stopped before its last epoch (callback, stopTraining, signal or error). */
  stopped = false;

  override onRecovered(info: RecoveredInfo): void {
    this.recovered.push(info);
  }

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
    return {
      epoch: [...this.epoch],
      history: structuredClone(this.history),
      error: this.error,
      ...(this.recovered.length > 0 ? { recovered: structuredClone(this.recovered) } : {}),
    };
  }

  /** A History from toJSON, e.g. from a checkpoint, that a resumed fit can continue. */
  static fromJSON(json: HistoryJSON): History {
    const h = new History();
    h.epoch.push(...json.epoch);
    for (const [key, values] of Object.entries(json.history)) h.history[key] = [...values];
    h.error = json.error;
    if (Array.isArray(json.recovered)) h.recovered.push(...json.recovered.map((r) => ({ ...r })));
    return h;
  }
}
