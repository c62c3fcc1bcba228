/**
 * The options of fit, evaluate and predict, checked at the public entry before any data is read:
 * types first (`epochs: "5"` says a number was expected), so the training loop only sees values
 * of the types it declares. Ranges the loop checks itself are checked here too, with the same
 * meaning, so a bad call fails the same way on every executor.
 */
import { InvalidArgumentError } from '../../errors';
import { Tensor } from '../../graph/tensor';
import { checkNumber, checkOneOf, checkOptionalNumber, checkOptionsObject, received } from '../../validate';
import type { Callback } from './callback';
import type { ModelInput } from './data';
import type { Executor } from './executor';
import { History } from './history';

export interface FitOptions {
  /** Default 1. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** The last fraction of the samples (before shuffling), held out for validation, as in Keras. */
  validationSplit?: number;
  validationData?: [ModelInput, ModelInput];
  /** Reshuffle the training samples every epoch (default true). */
  shuffle?: boolean;
  /** Seeds shuffling and dropout masks (default: the model's seed). */
  seed?: number;
  /** Loss weight per class index, e.g. { 0: 1, 1: 5 } for a rare class 1. */
  classWeight?: Record<number, number>;
  callbacks?: Callback[];
  /** 0 silent (default), 1 a line per epoch on the console. */
  verbose?: number;
  /** The epoch to start from when resuming (default 0). */
  initialEpoch?: number;
  /** Aborting stops training after the current batch; the epoch in progress is not recorded. */
  signal?: AbortSignal;
  /** A History to continue (a run resumed from a checkpoint, with initialEpoch): epochs are appended. */
  history?: History;
  /**
   * How steps run: 'planned' traces the step once per batch size into a step program that the
   * backend compiles and replays (throws where it cannot), 'eager' dispatches op by op, 'auto'
   * (default) compiles and falls back to eager, with the reason logged, where the step cannot be
   * traced.
   */
  executor?: Executor;
}

function checkBatchSize(call: string, batchSize: unknown): void {
  checkOptionalNumber(`${call}(batchSize)`, batchSize, { integer: true, min: 1 });
}

function checkModelInput(what: string, v: unknown): void {
  if (v instanceof Tensor || Array.isArray(v) || typeof v === 'number') return;
  if (typeof v === 'object' && v !== null && 'data' in v && 'shape' in v) return;
  throw new InvalidArgumentError(
    `${what} must be a Tensor, nested arrays of numbers or { data, shape }, ${received(v)}`,
  );
}

/** x and y of fit and evaluate (and x of predict): each a Tensor, nested arrays or host data. */
export function checkInputs(call: string, x: unknown, y?: unknown, withY = true): void {
  checkModelInput(`${call}(x)`, x);
  if (withY) checkModelInput(`${call}(y)`, y);
}

export function checkEvaluateOptions(call: 'evaluate' | 'predict', options: unknown): void {
  checkOptionsObject(`${call}(options)`, options);
  checkBatchSize(call, (options as { batchSize?: unknown } | undefined)?.batchSize);
}

export function checkFitOptionTypes(options: unknown): void {
  checkOptionsObject('fit(options)', options);
  const o = (options ?? {}) as Record<keyof FitOptions, unknown>;
  checkOptionalNumber('fit(epochs)', o.epochs, { integer: true, min: 1 });
  checkBatchSize('fit', o.batchSize);
  checkOptionalNumber('fit(validationSplit)', o.validationSplit, { min: 0, max: 1 });
  if (o.validationSplit === 1) {
    throw new InvalidArgumentError(
      'fit(validationSplit) must be below 1, received 1: no sample would be left to train on',
    );
  }
  checkOptionalNumber('fit(initialEpoch)', o.initialEpoch, { integer: true, min: 0 });
  checkOptionalNumber('fit(seed)', o.seed, { integer: true });
  checkOptionalNumber('fit(verbose)', o.verbose, { integer: true, min: 0, max: 2 });
  checkOneOf('fit(shuffle)', o.shuffle, [true, false]);
  checkOneOf('fit(executor)', o.executor, ['auto', 'planned', 'eager']);
  if (o.validationData !== undefined) {
    if (!Array.isArray(o.validationData) || o.validationData.length !== 2) {
      throw new InvalidArgumentError(`fit(validationData) must be [x, y], ${received(o.validationData)}`);
    }
    checkInputs('fit(validationData)', o.validationData[0], o.validationData[1]);
  }
  if (o.classWeight !== undefined) {
    if (o.classWeight === null || typeof o.classWeight !== 'object' || Array.isArray(o.classWeight)) {
      throw new InvalidArgumentError(
        `fit(classWeight) must be { classIndex: weight }, ${received(o.classWeight)}`,
      );
    }
    for (const [k, w] of Object.entries(o.classWeight)) checkNumber(`fit(classWeight[${k}])`, w, { min: 0 });
  }
  if (
    o.signal !== undefined &&
    (o.signal === null || typeof (o.signal as AbortSignal).aborted !== 'boolean')
  ) {
    throw new InvalidArgumentError(`fit(signal) must be an AbortSignal, ${received(o.signal)}`);
  }
  if (o.history !== undefined && !(o.history instanceof History)) {
    throw new InvalidArgumentError(
      `fit(history) must be the History of an earlier fit, ${received(o.history)}`,
    );
  }
}
