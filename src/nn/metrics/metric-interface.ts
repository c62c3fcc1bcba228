/**
 * What every compiled metric implements, apart from the registry in ../metric.ts that names them,
 * so the metric classes here need nothing from the file that imports them.
 */

/** A host copy of a batch: row-major values and the shape (batch axis first). */
export interface HostTensor {
  data: Float32Array;
  shape: readonly number[];
}

export interface Metric {
  /** The log key (`accuracy`; validation logs use `val_` + name). */
  readonly name: string;
  /**
   * True when result() is costly over a whole epoch (AUC sorts every score): fit then reports the
   * metric in epoch logs only, not in the running batch logs.
   */
  readonly epochOnly?: boolean;
  reset(): void;
  update(yTrue: HostTensor, yPred: HostTensor): void;
  /**
   * The value over everything since the last reset. Throws MetricError where the value is
   * undefined for the data (AUC with one class present, R² of one value); fit and evaluate then
   * leave the key out of that epoch's logs and warn, rather than log NaN.
   */
  result(): number;
}
