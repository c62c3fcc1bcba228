/**
 * Compiled ROC AUC. It keeps every label and score of the epoch, because AUC is a property of the
 * whole ranking: a mean of per-batch AUCs is a different (and wrong) number. Its result sorts
 * every score, so fit reports it in epoch logs only (`epochOnly`), not after each batch.
 */
import { batchShape, emptyResult, trueLabels } from './batch';
import { MetricError } from './metric-error';
import type { HostTensor, Metric } from './metric-interface';
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
  /**
   * Rows of more than two outputs are logits: softmax them before ranking. One-vs-rest AUC ranks
   * each class's column across rows, and logits of different rows are not on one scale.
   */
  fromLogits?: boolean;
}

/** In place: each row of `cols` values replaced by its softmax. */
function softmaxRows(data: Float32Array, cols: number): void {
  for (let o = 0; o < data.length; o += cols) {
    let max = -Infinity;
    for (let j = 0; j < cols; j++) max = Math.max(max, data[o + j]);
    let total = 0;
    for (let j = 0; j < cols; j++) {
      data[o + j] = Math.exp(data[o + j] - max);
      total += data[o + j];
    }
    for (let j = 0; j < cols; j++) data[o + j] /= total;
  }
}

/**
 * ROC AUC over every sample of the epoch. One output per sample is a binary score; two outputs are
 * a binary problem scored by column 1; more are one-vs-rest. `result` throws MetricError when a
 * class is absent from the epoch's labels, as `rocAuc` does (fit then leaves the key out).
 */
export class AucMetric implements Metric {
  readonly name: string;
  readonly epochOnly = true;
  private readonly average: AucAverage;
  private readonly fromLogits: boolean;
  private classes: number | undefined;
  /** Row of the first NaN score since reset (a NaN has no rank), or -1. */
  private nanRow = -1;
  private labels = new GrowableArray();
  private scores = new GrowableArray();

  constructor(options: AucMetricOptions = {}) {
    this.name = options.name ?? 'auc';
    this.average = options.average ?? 'macro';
    this.fromLogits = options.fromLogits ?? false;
  }

  reset(): void {
    this.classes = undefined;
    this.nanRow = -1;
    this.labels = new GrowableArray();
    this.scores = new GrowableArray();
  }

  update(yTrue: HostTensor, yPred: HostTensor): void {
    const shape = batchShape(this.name, yTrue, yPred, this.classes);
    this.classes = shape.classes;
    if (this.nanRow < 0) {
      const i = yPred.data.findIndex(Number.isNaN);
      if (i >= 0) this.nanRow = this.labels.length + Math.floor(i / shape.classes);
    }
    this.labels.push(trueLabels(this.name, yTrue.data, shape));
    if (this.fromLogits && shape.classes > 2) {
      const probabilities = Float32Array.from(yPred.data);
      softmaxRows(probabilities, shape.classes);
      this.scores.push(probabilities);
    } else {
      this.scores.push(yPred.data);
    }
  }

  result(): number {
    if (this.classes === undefined || this.labels.length === 0) emptyResult(this.name);
    if (this.nanRow >= 0) {
      throw new MetricError(
        `${this.name}: the score of row ${this.nanRow} since reset is NaN; a NaN has no rank`,
      );
    }
    const labels = Int32Array.from(this.labels.view());
    const scores = this.scores.view();
    const k = this.classes;
    if (k > 2)
      return multiclassAucOf(this.name, labels, { data: scores, rows: labels.length, cols: k }, this.average);
    const positive = Uint8Array.from(labels);
    if (k === 1) return binaryAucOf(this.name, positive, scores);
    const column1 = new Float32Array(labels.length);
    for (let i = 0; i < labels.length; i++) column1[i] = scores[i * 2 + 1];
    return binaryAucOf(this.name, positive, column1);
  }
}
