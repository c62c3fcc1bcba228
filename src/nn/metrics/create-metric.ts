/** Streaming regression metrics and the factory that maps compiled metric names to metrics. */

import { AucMetric } from './auc-metric';
import type { Average } from './classification';
import { type BatchShape, checkBatch, emptyResult, type Metric } from './metric';
import { MetricError } from './metric-error';
import { AccuracyMetric, F1Metric, PrecisionMetric, RecallMetric } from './streaming';

/** Mean of a per-element loss over every element of every batch. */
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

  update(yTrue: Float32Array, yPred: Float32Array, shape: BatchShape): void {
    checkBatch(this.name, yTrue, yPred, shape, undefined);
    if (yTrue.length !== yPred.length) {
      throw new MetricError(
        `${this.name}: yTrue has ${yTrue.length} values, yPred ${yPred.length}; expected equal`,
      );
    }
    for (let i = 0; i < yPred.length; i++) this.sum += this.error(yTrue[i] - yPred[i]);
    this.count += yPred.length;
  }

  result(): number {
    if (this.count === 0) emptyResult(this.name);
    return this.sum / this.count;
  }
}

/** Mean squared error over the epoch. A non-finite output gives a non-finite result, as the loss does. */
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

/** Names accepted by `createMetric` (and so by `compile({ metrics })`). */
export const metricNames = ['accuracy', 'acc', 'precision', 'recall', 'f1', 'auc', 'mse', 'mae'] as const;
export type MetricName = (typeof metricNames)[number];

export interface CreateMetricOptions {
  threshold?: number;
  average?: Average;
}

/** A fresh streaming metric for a compiled name; the log name is the name given. */
export function createMetric(name: string, options: CreateMetricOptions = {}): Metric {
  const { threshold, average } = options;
  switch (name as MetricName) {
    case 'accuracy':
    case 'acc':
      return new AccuracyMetric({ name, threshold });
    case 'precision':
      return new PrecisionMetric({ name, threshold, average });
    case 'recall':
      return new RecallMetric({ name, threshold, average });
    case 'f1':
      return new F1Metric({ name, threshold, average });
    case 'auc':
      return new AucMetric({
        name,
        average: average === 'binary' || average === undefined ? undefined : average,
      });
    case 'mse':
      return new MeanSquaredErrorMetric({ name });
    case 'mae':
      return new MeanAbsoluteErrorMetric({ name });
    default:
      throw new MetricError(`unknown metric '${name}'; expected one of ${metricNames.join(', ')}`);
  }
}
