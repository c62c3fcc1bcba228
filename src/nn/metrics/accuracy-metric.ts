/**
 * Compiled accuracy in Keras's three forms, plus the shape-chosen form that the name 'accuracy'
 * resolves to for a regression loss. Each counts hits over every row since reset.
 */
import { fmtShape, ShapeError } from '../../errors';
import { argmaxAt } from './batch';
import type { HostTensor, Metric } from './metric-interface';

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
      if (argmaxAt(yPred.data, r * classes, classes) === argmaxAt(yTrue.data, r * classes, classes))
        correct++;
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
      if (argmaxAt(yPred.data, r * classes, classes) === Math.round(yTrue.data[r])) correct++;
    }
    this.add(correct, rows);
  }
}

/** A single output is read as a binary score, several as classes (for regression losses). */
export class AccuracyByShape implements Metric {
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
