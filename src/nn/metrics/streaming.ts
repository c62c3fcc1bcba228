/**
 * Streaming accuracy, precision, recall and F1. The last three keep a confusion matrix and compute
 * the result with the same function as the plain `precision` etc., so both always agree.
 */
import { type ClassificationOptions, resolveAverage, scoreFromConfusion } from './classification';
import { type BatchShape, checkBatch, emptyResult, type Metric, predictedLabels, trueLabels } from './metric';

export interface ThresholdOptions {
  /** A single sigmoid output counts as class 1 when strictly above this. Default 0.5. */
  threshold?: number;
  /** Log name; defaults to the metric's Keras name. */
  name?: string;
}

/** Fraction of samples whose predicted label equals the true label (binary, categorical or sparse). */
export class AccuracyMetric implements Metric {
  readonly name: string;
  private readonly threshold: number;
  private classes: number | undefined;
  private hits = 0;
  private count = 0;

  constructor(options: ThresholdOptions = {}) {
    this.name = options.name ?? 'accuracy';
    this.threshold = options.threshold ?? 0.5;
  }

  reset(): void {
    this.classes = undefined;
    this.hits = 0;
    this.count = 0;
  }

  update(yTrue: Float32Array, yPred: Float32Array, shape: BatchShape): void {
    checkBatch(this.name, yTrue, yPred, shape, this.classes);
    this.classes = shape.classes;
    const t = trueLabels(this.name, yTrue, shape);
    const p = predictedLabels(this.name, yPred, shape, this.threshold);
    for (let i = 0; i < t.length; i++) if (t[i] === p[i]) this.hits++;
    this.count += t.length;
  }

  result(): number {
    if (this.count === 0) emptyResult(this.name);
    return this.hits / this.count;
  }
}

export interface ConfusionMetricOptions extends ThresholdOptions, Omit<ClassificationOptions, 'numClasses'> {}

type Score = 'precision' | 'recall' | 'f1';

/** Accumulates a confusion matrix; the result is the plain function's formula applied to it. */
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

  update(yTrue: Float32Array, yPred: Float32Array, shape: BatchShape): void {
    checkBatch(this.name, yTrue, yPred, shape, this.classes);
    const k = Math.max(shape.classes, 2);
    if (this.classes === undefined) {
      resolveAverage(this.name, k, this.options.average); // a missing multiclass average fails at batch 1
      this.counts = new Float64Array(k * k);
    }
    this.classes = shape.classes;
    const t = trueLabels(this.name, yTrue, shape);
    const p = predictedLabels(this.name, yPred, shape, this.options.threshold ?? 0.5);
    for (let i = 0; i < t.length; i++) this.counts[t[i] * k + p[i]]++;
  }

  result(): number {
    if (this.classes === undefined) emptyResult(this.name);
    const k = Math.max(this.classes, 2);
    return scoreFromConfusion(this.name, this.score, this.counts, k, this.options);
  }
}

/** Precision over the epoch; `average` as in `precision` ('binary' default for one or two outputs). */
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

/** F1 over the epoch (from the pooled confusion matrix, never a mean of batch F1s). */
export class F1Metric extends ConfusionMetric {
  constructor(options: ConfusionMetricOptions = {}) {
    super('f1', options);
  }
}
