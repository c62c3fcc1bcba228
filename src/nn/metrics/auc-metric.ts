/**
 * Streaming ROC AUC. It keeps every label and score of the epoch, because AUC is a property of the
 * whole ranking: a mean of per-batch AUCs is a different (and wrong) number.
 */
import { type BatchShape, checkBatch, emptyResult, type Metric, predictedLabels, trueLabels } from './metric';
import { type AucAverage, binaryAucOf, multiclassAucOf } from './ranking';

/** A Float32Array that grows by doubling, so an epoch of scores costs amortised O(1) per value. */
class GrowableArray {
  data = new Float32Array(1024);
  length = 0;

  push(values: ArrayLike<number>): void {
    if (this.length + values.length > this.data.length) {
      const next = new Float32Array(Math.max(this.data.length * 2, this.length + values.length));
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    this.data.set(values, this.length);
    this.length += values.length;
  }

  view(): Float32Array {
    return this.data.subarray(0, this.length);
  }
}

export interface AucMetricOptions {
  /** One-vs-rest averaging for more than two classes, as in `rocAuc`. Default 'macro'. */
  average?: AucAverage;
  /** Log name. Default 'auc'. */
  name?: string;
}

/**
 * ROC AUC over every sample of the epoch. One output per sample is a binary score; two outputs are
 * a binary problem scored by column 1; more are one-vs-rest. `result` throws MetricError when a
 * class is absent from the epoch's labels, as `rocAuc` does.
 */
export class AucMetric implements Metric {
  readonly name: string;
  private readonly average: AucAverage;
  private classes: number | undefined;
  private labels = new GrowableArray();
  private scores = new GrowableArray();

  constructor(options: AucMetricOptions = {}) {
    this.name = options.name ?? 'auc';
    this.average = options.average ?? 'macro';
  }

  reset(): void {
    this.classes = undefined;
    this.labels = new GrowableArray();
    this.scores = new GrowableArray();
  }

  update(yTrue: Float32Array, yPred: Float32Array, shape: BatchShape): void {
    checkBatch(this.name, yTrue, yPred, shape, this.classes);
    predictedLabels(this.name, yPred, shape, 0.5); // rejects non-finite scores now, not at epoch end
    this.classes = shape.classes;
    this.labels.push(trueLabels(this.name, yTrue, shape));
    this.scores.push(yPred);
  }

  result(): number {
    if (this.classes === undefined || this.labels.length === 0) emptyResult(this.name);
    const labels = Int32Array.from(this.labels.view());
    const scores = this.scores.view();
    const k = this.classes;
    if (k > 2)
      return multiclassAucOf(this.name, labels, { data: scores, rows: labels.length, cols: k }, this.average);
    const positive = new Uint8Array(labels.length);
    for (let i = 0; i < labels.length; i++) positive[i] = labels[i];
    if (k === 1) return binaryAucOf(this.name, positive, scores);
    const column1 = new Float32Array(labels.length);
    for (let i = 0; i < labels.length; i++) column1[i] = scores[i * 2 + 1];
    return binaryAucOf(this.name, positive, column1);
  }
}
