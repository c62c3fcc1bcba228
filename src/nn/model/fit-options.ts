/**
 * The options of fit, evaluate and predict, checked at the public entry before any data is read:
 * types first (`epochs: "5"` says a number was expected), so the training loop only sees values
 * of the types it declares. Ranges the loop checks itself are checked here too, with the same
 * meaning, so a bad call fails the same way on every executor.
 */
import { InvalidArgumentError } from '../../errors';
import { Tensor } from '../../graph/tensor';
import { checkNumber, checkOneOf, checkOptionalNumber, checkOptionsObject, received } from '../../validate';
import { History } from '../callbacks/history';
import type { FitOptions } from './fit';

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
