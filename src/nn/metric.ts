/**
 * Compiled metrics: objects that accumulate over an epoch (reset, update per batch, result), fed
 * with host copies of labels and predictions so any metric (AUC needs every score of the epoch)
 * can be written as plain array code. `compile({ metrics })` takes names resolved through the
 * registry here, or Metric objects. Accuracy is built in; richer metrics register themselves with
 * registerMetric.
 */
import { fmtShape, InvalidArgumentError, ShapeError } from '../errors';
import type { LossConfig } from './losses';

/** A host copy of a batch: row-major values and the shape (batch axis first). */
export interface HostTensor {
  data: Float32Array;
  shape: readonly number[];
}

export interface Metric {
  /** The log key (`accuracy`; validation logs use `val_` + name). */
  readonly name: string;
  reset(): void;
  update(yTrue: HostTensor, yPred: HostTensor): void;
  /** The value over everything since the last reset. */
  result(): number;
}

/** What a metric factory may need to choose its variant. */
export interface MetricContext {
  /** The name the user asked for; the metric should report under it. */
  name: string;
  loss: Readonly<LossConfig>;
}

export type MetricFactory = (ctx: MetricContext) => Metric;

/** Mean of a per-row 0/1 outcome over every row seen. */
abstract class RowAccuracy implements Metric {
  private correct = 0;
  private count = 0;

  constructor(readonly name: string) {}

  reset(): void {
    this.correct = 0;
    this.count = 0;
  }

  result(): number {
    return this.count === 0 ? 0 : this.correct / this.count;
  }

  protected add(correct: number, count: number): void {
    this.correct += correct;
    this.count += count;
  }

  abstract update(yTrue: HostTensor, yPred: HostTensor): void;
}

/** Index of the largest of `n` values from `offset` (the first one among ties). */
function argmax(data: Float32Array, offset: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (data[offset + j] > data[offset + best]) best = j;
  return best;
}

/** Element-wise: prediction above threshold matches a label above 0.5. */
export class BinaryAccuracy extends RowAccuracy {
  constructor(
    name = 'binaryAccuracy',
    /** 0.5 for probabilities, 0 for logits. */
    private readonly threshold = 0.5,
  ) {
    super(name);
  }

  update(yTrue: HostTensor, yPred: HostTensor): void {
    if (yTrue.data.length !== yPred.data.length) {
      throw new ShapeError(
        `${this.name}: labels ${fmtShape(yTrue.shape)} and predictions ${fmtShape(yPred.shape)} differ in size`,
      );
    }
    let correct = 0;
    for (let i = 0; i < yPred.data.length; i++) {
      if (yPred.data[i] > this.threshold === yTrue.data[i] > 0.5) correct++;
    }
    this.add(correct, yPred.data.length);
  }
}

/** Row-wise: argmax of the prediction equals argmax of the one-hot label. */
export class CategoricalAccuracy extends RowAccuracy {
  constructor(name = 'categoricalAccuracy') {
    super(name);
  }

  update(yTrue: HostTensor, yPred: HostTensor): void {
    const classes = yPred.shape[yPred.shape.length - 1];
    if (yTrue.data.length !== yPred.data.length) {
      throw new ShapeError(
        `${this.name}: labels ${fmtShape(yTrue.shape)} must be one-hot like predictions ${fmtShape(yPred.shape)}`,
      );
    }
    const rows = yPred.data.length / classes;
    let correct = 0;
    for (let r = 0; r < rows; r++) {
      if (argmax(yPred.data, r * classes, classes) === argmax(yTrue.data, r * classes, classes)) correct++;
    }
    this.add(correct, rows);
  }
}

/** Row-wise: argmax of the prediction equals the integer label. */
export class SparseCategoricalAccuracy extends RowAccuracy {
  constructor(name = 'sparseCategoricalAccuracy') {
    super(name);
  }

  update(yTrue: HostTensor, yPred: HostTensor): void {
    const classes = yPred.shape[yPred.shape.length - 1];
    const rows = yPred.data.length / classes;
    if (yTrue.data.length !== rows) {
      throw new ShapeError(
        `${this.name}: expected one label per row of predictions ${fmtShape(yPred.shape)}, received labels ${fmtShape(yTrue.shape)}`,
      );
    }
    let correct = 0;
    for (let r = 0; r < rows; r++) {
      if (argmax(yPred.data, r * classes, classes) === Math.round(yTrue.data[r])) correct++;
    }
    this.add(correct, rows);
  }
}

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
      // Regression losses: a single output is read as a binary score, several as classes.
      return new AccuracyByShape(name);
  }
}

class AccuracyByShape implements Metric {
  private readonly binary: BinaryAccuracy;
  private readonly categorical: CategoricalAccuracy;
  private used: Metric | null = null;

  constructor(readonly name: string) {
    this.binary = new BinaryAccuracy(name);
    this.categorical = new CategoricalAccuracy(name);
  }

  reset(): void {
    this.binary.reset();
    this.categorical.reset();
  }

  update(yTrue: HostTensor, yPred: HostTensor): void {
    this.used = yPred.shape[yPred.shape.length - 1] === 1 ? this.binary : this.categorical;
    this.used.update(yTrue, yPred);
  }

  result(): number {
    return this.used?.result() ?? 0;
  }
}

const registry = new Map<string, MetricFactory>([
  ['accuracy', accuracyFor],
  ['acc', accuracyFor],
  ['binaryAccuracy', ({ name, loss }) => new BinaryAccuracy(name, loss.fromLogits ? 0 : 0.5)],
  ['categoricalAccuracy', ({ name }) => new CategoricalAccuracy(name)],
  ['sparseCategoricalAccuracy', ({ name }) => new SparseCategoricalAccuracy(name)],
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
