/**
 * Compiled metrics: objects that accumulate over an epoch (reset, update per batch, result), fed
 * with host copies of labels and predictions so any metric (AUC needs every score of the epoch)
 * can be written as plain array code. `compile({ metrics })` takes names resolved through the
 * registry here, or Metric objects. The classes live in ./metrics beside the plain functions
 * they agree with; registerMetric adds names.
 */
import { InvalidArgumentError } from '../errors';
import type { LossConfig } from './losses';
import {
  AccuracyByShape,
  BinaryAccuracy,
  CategoricalAccuracy,
  SparseCategoricalAccuracy,
} from './metrics/accuracy-metric';
import { AucMetric } from './metrics/auc-metric';
import { MetricError } from './metrics/metric-error';
import type { Metric } from './metrics/metric-interface';
import { MeanAbsoluteErrorMetric, MeanSquaredErrorMetric, R2Metric } from './metrics/regression-metric';
import { F1Metric, PrecisionMetric, RecallMetric } from './metrics/streaming';

export type { HostTensor, Metric } from './metrics/metric-interface';

/** What a metric factory may need to choose its variant. */
export interface MetricContext {
  /** The name the user asked for; the metric should report under it. */
  name: string;
  loss: Readonly<LossConfig>;
}

export type MetricFactory = (ctx: MetricContext) => Metric;

/** 'accuracy' means the variant that fits the loss, as in Keras. */
function accuracyFor({ name, loss }: MetricContext): Metric {
  switch (loss.name) {
    case 'binaryCrossentropy':
      return new BinaryAccuracy(name, loss.fromLogits ? 0 : 0.5);
    case 'sparseCategoricalCrossentropy':
      return new SparseCategoricalAccuracy(name);
    case 'categoricalCrossentropy':
      return new CategoricalAccuracy(name);
    default:
      return new AccuracyByShape(name);
  }
}

/** A sigmoid output trained on logits is positive above 0, not 0.5. */
function thresholdFor(loss: Readonly<LossConfig>): number {
  return loss.name === 'binaryCrossentropy' && loss.fromLogits ? 0 : 0.5;
}

const registry = new Map<string, MetricFactory>([
  ['accuracy', accuracyFor],
  ['acc', accuracyFor],
  ['binaryAccuracy', ({ name, loss }) => new BinaryAccuracy(name, thresholdFor(loss))],
  ['categoricalAccuracy', ({ name }) => new CategoricalAccuracy(name)],
  ['sparseCategoricalAccuracy', ({ name }) => new SparseCategoricalAccuracy(name)],
  ['precision', ({ name, loss }) => new PrecisionMetric({ name, threshold: thresholdFor(loss) })],
  ['recall', ({ name, loss }) => new RecallMetric({ name, threshold: thresholdFor(loss) })],
  ['f1', ({ name, loss }) => new F1Metric({ name, threshold: thresholdFor(loss) })],
  ['auc', ({ name, loss }) => new AucMetric({ name, fromLogits: loss.fromLogits ?? false })],
  ['mse', ({ name }) => new MeanSquaredErrorMetric({ name })],
  ['mae', ({ name }) => new MeanAbsoluteErrorMetric({ name })],
  ['r2', ({ name }) => new R2Metric({ name })],
]);

/** Makes `compile({ metrics: [name] })` accept a new name. */
export function registerMetric(name: string, factory: MetricFactory): void {
  registry.set(name, factory);
}

export function metricNames(): string[] {
  return [...registry.keys()];
}

export function resolveMetric(spec: string | Metric, loss: Readonly<LossConfig>): Metric {
  if (typeof spec !== 'string') {
    if (spec && typeof spec.update === 'function' && typeof spec.result === 'function') return spec;
    throw new InvalidArgumentError(
      `compile(metrics): expected a metric name or a Metric, received ${String(spec)}`,
    );
  }
  const factory = registry.get(spec);
  if (!factory) {
    throw new InvalidArgumentError(
      `compile(metrics): unknown metric '${spec}', expected one of ${metricNames().join(', ')}`,
    );
  }
  return factory({ name: spec, loss });
}

export interface MetricResultsOptions {
  /** Prepended to each key (`val_`). */
  prefix?: string;
  /** Running batch logs: epochOnly metrics are left out and undefined values skipped quietly. */
  inBatch?: boolean;
  /** Where the note about a left-out value goes (default console.warn). */
  warn?: (message: string) => void;
}

/**
 * Each metric's result by log name. A value that is undefined for the data (result throws
 * MetricError) or not finite is left out, with a warning at epoch level, so one degenerate
 * validation epoch (a single class present) never stops training nor puts NaN in the logs.
 */
export function metricResults(
  metrics: readonly Metric[],
  options: MetricResultsOptions = {},
): Record<string, number> {
  const { prefix = '', inBatch = false, warn = console.warn } = options;
  const logs: Record<string, number> = {};
  for (const m of metrics) {
    if (inBatch && m.epochOnly) continue;
    const key = prefix + m.name;
    let value: number;
    try {
      value = m.result();
    } catch (e) {
      if (!(e instanceof MetricError)) throw e;
      if (!inBatch) warn(`${key} is left out of these logs: ${e.message}`);
      continue;
    }
    if (Number.isFinite(value)) logs[key] = value;
    else if (!inBatch) warn(`${key} is left out of these logs: its value is ${value}`);
  }
  return logs;
}
