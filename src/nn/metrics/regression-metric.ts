/**
 * Compiled regression metrics: mean squared error, mean absolute error and R², each over every
 * output of every row since reset, as the plain functions read flat arrays.
 */
import { batchShape, emptyResult } from './batch';
import { MetricError } from './metric-error';
import type { HostTensor, Metric } from './metric-interface';

function sameSize(name: string, yTrue: HostTensor, yPred: HostTensor): void {
  batchShape(name, yTrue, yPred, undefined);
  if (yTrue.data.length !== yPred.data.length) {
    throw new MetricError(
      `${name}: ${yTrue.data.length} targets for ${yPred.data.length} predictions; expected one target per output`,
    );
  }
}

/** Mean of a per-element error over every element of every batch. */
class MeanErrorMetric implements Metric {
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    private readonly error: (d: number) => number,
  ) {}

  reset(): void {
    this.sum = 0;
    this.count = 0;
  }

  update(yTrue: HostTensor, yPred: HostTensor): void {
    sameSize(this.name, yTrue, yPred);
    for (let i = 0; i < yPred.data.length; i++) this.sum += this.error(yTrue.data[i] - yPred.data[i]);
    this.count += yPred.data.length;
  }

  result(): number {
    if (this.count === 0) emptyResult(this.name);
    return this.sum / this.count;
  }
}

/** Mean squared error over the epoch. */
export class MeanSquaredErrorMetric extends MeanErrorMetric {
  constructor(options: { name?: string } = {}) {
    super(options.name ?? 'mse', (d) => d * d);
  }
}

/** Mean absolute error over the epoch. */
export class MeanAbsoluteErrorMetric extends MeanErrorMetric {
  constructor(options: { name?: string } = {}) {
    super(options.name ?? 'mae', Math.abs);
  }
}

/**
 * R² = 1 - SS_res / SS_tot over the epoch, as `r2` (constant targets: 1 if predicted exactly, else
 * 0). The target mean and SS_tot merge batch by batch (Chan et al.), which stays accurate where
 * Σy² - (Σy)²/n would cancel. Throws MetricError for fewer than two values, as `r2` does.
 */
export class R2Metric implements Metric {
  readonly name: string;
  private count = 0;
  private mean = 0;
  private ssTot = 0;
  private ssRes = 0;

  constructor(options: { name?: string } = {}) {
    this.name = options.name ?? 'r2';
  }

  reset(): void {
    this.count = 0;
    this.mean = 0;
    this.ssTot = 0;
    this.ssRes = 0;
  }

  update(yTrue: HostTensor, yPred: HostTensor): void {
    sameSize(this.name, yTrue, yPred);
    const n = yTrue.data.length;
    if (n === 0) return;
    let batchMean = 0;
    for (let i = 0; i < n; i++) batchMean += yTrue.data[i];
    batchMean /= n;
    let batchSsTot = 0;
    for (let i = 0; i < n; i++) {
      batchSsTot += (yTrue.data[i] - batchMean) ** 2;
      this.ssRes += (yTrue.data[i] - yPred.data[i]) ** 2;
    }
    const total = this.count + n;
    const delta = batchMean - this.mean;
    this.ssTot += batchSsTot + (delta * delta * this.count * n) / total;
    this.mean += (delta * n) / total;
    this.count = total;
  }

  result(): number {
    if (this.count < 2) {
      throw new MetricError(`${this.name}: got ${this.count} value(s) since reset; R² needs at least 2`);
    }
    if (this.ssTot === 0) return this.ssRes === 0 ? 1 : 0;
    return 1 - this.ssRes / this.ssTot;
  }
}
