/**
 * The curves the page draws, built from the logs training reports: per metric, the per-batch values
 * (raw and exponentially smoothed) and the per-epoch training and validation values, on one x axis
 * measured in epochs (batch b of epoch e with n batches sits at e + (b + 1) / n).
 * Plain data, no DOM: the charts only render it.
 */
export type Logs = Readonly<Record<string, number>>;

/** uPlot's aligned data: x first, then one array per series; null where a series has no point. */
export type AlignedSeries = [number[], ...(number | null)[][]];

export interface MetricCurves {
  metric: string;
  labels: readonly string[];
  data: AlignedSeries;
}

/** Keys Keras puts in batch logs that are bookkeeping, not metrics. */
const NOT_METRICS = new Set(['batch', 'size']);

/**
 * The most points the log keeps. A small model can end thousands of epochs a minute (three points
 * each, with the batches between), and every frame's charts copy the whole log: past this, every
 * other batch point and every other epoch point go (the newest stay), so the curves keep their
 * shape over the whole run at a bounded cost.
 */
export const MAX_LOG_POINTS = 4000;

export class TrainingLog {
  private readonly x: number[] = [];
  private readonly rows: Logs[] = [];
  private readonly kinds: ('batch' | 'epoch')[] = [];
  private readonly smoothed = new Map<string, number>();
  private readonly names = new Set<string>();

  /** @param smoothing EMA weight of the past, as TensorBoard's slider: 0 = raw, 0.9 = very smooth */
  constructor(private readonly smoothing = 0.6) {}

  addBatch(epoch: number, batch: number, batchesPerEpoch: number, logs: Logs): void {
    const row: Record<string, number> = {};
    for (const [k, v] of Object.entries(logs)) {
      if (!Number.isFinite(v) || NOT_METRICS.has(k)) continue;
      const previous = this.smoothed.get(k);
      const s = previous === undefined ? v : this.smoothing * previous + (1 - this.smoothing) * v;
      this.smoothed.set(k, s);
      row[k] = s;
    }
    this.push(epoch + (batch + 1) / batchesPerEpoch, row, 'batch');
  }

  addEpoch(epoch: number, logs: Logs): void {
    this.push(
      epoch + 1,
      Object.fromEntries(Object.entries(logs).filter(([k]) => !NOT_METRICS.has(k))),
      'epoch',
    );
  }

  /** Metric names seen so far, without the val_ prefix, loss first. */
  metrics(): string[] {
    return [...this.names].sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : a.localeCompare(b)));
  }

  curves(metric: string): MetricCurves {
    const pick = (kind: 'batch' | 'epoch', key: string) =>
      this.rows.map((r, i) => (this.kinds[i] === kind && key in r ? r[key] : null));
    return {
      metric,
      labels: [`${metric} (batch, smoothed)`, `${metric} (epoch)`, `val_${metric} (epoch)`],
      data: [[...this.x], pick('batch', metric), pick('epoch', metric), pick('epoch', `val_${metric}`)],
    };
  }

  get length(): number {
    return this.x.length;
  }

  clear(): void {
    this.x.length = 0;
    this.rows.length = 0;
    this.kinds.length = 0;
    this.smoothed.clear();
    this.names.clear();
  }

  private push(x: number, row: Logs, kind: 'batch' | 'epoch'): void {
    this.x.push(x);
    this.rows.push(row);
    this.kinds.push(kind);
    for (const k of Object.keys(row)) this.names.add(k.replace(/^val_/, ''));
    if (this.x.length > MAX_LOG_POINTS) this.thin();
  }

  /** Drops every other point of each kind, keeping each kind's newest (and the order). */
  private thin(): void {
    const lastOf = { batch: this.kinds.lastIndexOf('batch'), epoch: this.kinds.lastIndexOf('epoch') };
    const seen = { batch: 0, epoch: 0 };
    let kept = 0;
    for (let i = 0; i < this.x.length; i++) {
      const kind = this.kinds[i];
      if (seen[kind]++ % 2 === 1 && i !== lastOf[kind]) continue;
      this.x[kept] = this.x[i];
      this.rows[kept] = this.rows[i];
      this.kinds[kept] = kind;
      kept++;
    }
    this.x.length = kept;
    this.rows.length = kept;
    this.kinds.length = kept;
  }
}
