/**
 * Compiled precision, recall and F1. Each keeps the epoch's confusion matrix and computes its
 * result with the same function as the plain `precision` etc., so both always agree, and an
 * epoch value is pooled over every sample (never a mean of batch values).
 */
import { batchShape, emptyResult, predictedLabels, trueLabels } from './batch';
import {
  type Average,
  type ClassificationOptions,
  resolveAverage,
  scoreFromConfusion,
} from './classification';
import type { HostTensor, Metric } from './metric-interface';

export interface ThresholdOptions {
  /** A single sigmoid output counts as class 1 when strictly above this. Default 0.5 (0 for logits). */
  threshold?: number;
  /** Log name; defaults to the metric's Keras name. */
  name?: string;
}

export interface ConfusionMetricOptions extends ThresholdOptions, Omit<ClassificationOptions, 'numClasses'> {}

type Score = 'precision' | 'recall' | 'f1';

/**
 * The average a compiled metric uses: 'binary' (class 1) for one or two outputs, 'macro' for more.
 * Unlike the plain functions, which refuse to guess, a compiled name like 'f1' must mean something
 * for any model; macro is the choice that does not let a majority class hide a poor minority class.
 */
export function defaultAverage(classes: number): Average {
  return classes <= 2 ? 'binary' : 'macro';
}

class ConfusionMetric implements Metric {
  readonly name: string;
  private readonly options: ConfusionMetricOptions;
  private classes: number | undefined;
  private counts = new Float64Array(0);

  constructor(
    private readonly score: Score,
    options: ConfusionMetricOptions,
  ) {
    this.name = options.name ?? score;
    this.options = { ...options };
  }

  reset(): void {
    this.classes = undefined;
    this.counts = new Float64Array(0);
  }

  update(yTrue: HostTensor, yPred: HostTensor): void {
    const shape = batchShape(this.name, yTrue, yPred, this.classes);
    const k = Math.max(shape.classes, 2);
    if (this.classes === undefined) {
      // A wrong average (e.g. 'binary' for 3 classes) fails at the first batch, not at epoch end.
      resolveAverage(this.name, k, this.options.average ?? defaultAverage(k));
      this.counts = new Float64Array(k * k);
    }
    this.classes = shape.classes;
    const t = trueLabels(this.name, yTrue.data, shape);
    const p = predictedLabels(yPred.data, shape, this.options.threshold ?? 0.5);
    for (let i = 0; i < t.length; i++) this.counts[t[i] * k + p[i]]++;
  }

  result(): number {
    if (this.classes === undefined) emptyResult(this.name);
    const k = Math.max(this.classes, 2);
    const average = this.options.average ?? defaultAverage(k);
    return scoreFromConfusion(this.name, this.score, this.counts, k, { ...this.options, average });
  }
}

/** Precision over the epoch; `average` as in `precision`, defaulting to `defaultAverage`. */
export class PrecisionMetric extends ConfusionMetric {
  constructor(options: ConfusionMetricOptions = {}) {
    super('precision', options);
  }
}

/** Recall over the epoch; options as `PrecisionMetric`. */
export class RecallMetric extends ConfusionMetric {
  constructor(options: ConfusionMetricOptions = {}) {
    super('recall', options);
  }
}

/** F1 over the epoch, from the pooled confusion matrix; options as `PrecisionMetric`. */
export class F1Metric extends ConfusionMetric {
  constructor(options: ConfusionMetricOptions = {}) {
    super('f1', options);
  }
}
