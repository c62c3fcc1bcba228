/**
 * One call at a time per model. Two `fit` calls on one model interleave their steps (on the
 * planned WebGPU path updates are then silently lost), and a `predict` from a button while a fit
 * runs reads weights half-way through a step. So fit, evaluate and predict are exclusive: a
 * second call rejects with ModelBusyError naming the call that runs. Callbacks of the running fit
 * are the exception: fit is paused while a hook runs, so a hook may evaluate or predict (as in
 * Keras), though it may not start another fit.
 */
import { InvalidArgumentError } from '../../errors';
import { received } from '../../validate';
import { ModelStateError } from '../errors';
import { Callback, type Logs, type RecoveredInfo, type TrainingParams } from './callback';
import type { Sequential } from './sequential';

/** A second fit/evaluate/predict on a model while one runs; `running` names the one running. */
export class ModelBusyError extends ModelStateError {
  constructor(
    readonly model: string,
    readonly call: string,
    readonly running: string,
  ) {
    super(
      `${model}.${call}: ${model}.${running} is still running on this model; await it (or stop it with ` +
        `model.stopTraining = true or its signal) before calling ${call}`,
    );
  }
}

interface Running {
  call: string;
  /** Hooks of the running fit now executing (fit waits on them). */
  inHook: number;
}

const runningCalls = new WeakMap<Sequential, Running>();

/** Runs `fn` as `call` on `model`, rejecting at once when another call runs there. */
export async function exclusive<T>(model: Sequential, call: string, fn: () => Promise<T>): Promise<T> {
  const running = runningCalls.get(model);
  if (running && !(running.inHook > 0 && call !== 'fit')) {
    throw new ModelBusyError(model.name, call, running.call);
  }
  if (running) return fn(); // evaluate/predict from a hook of the running fit
  runningCalls.set(model, { call, inHook: 0 });
  try {
    return await fn();
  } finally {
    runningCalls.delete(model);
  }
}

const HOOKS = [
  'onTrainBegin',
  'onTrainEnd',
  'onEpochBegin',
  'onEpochEnd',
  'onBatchBegin',
  'onBatchEnd',
  'onRecovered',
] as const;
type Hook = (typeof HOOKS)[number];
type HookFn = (arg: number | Logs | RecoveredInfo, logs?: Logs) => void | Promise<void>;

/**
 * A callback as fit runs it: the user's hooks, marked as running inside fit. Only hooks the user's
 * object has are defined here, so a loop that skips callbacks without batch hooks still can.
 */
class GuardedCallback extends Callback {
  constructor(
    readonly inner: Callback | Record<string, unknown>,
    model: Sequential,
  ) {
    super();
    for (const hook of HOOKS) {
      const fn = inner[hook] as HookFn | undefined;
      if (inner instanceof Callback && fn === Callback.prototype[hook]) continue;
      if (typeof fn !== 'function') continue;
      (this as unknown as Record<Hook, HookFn>)[hook] = async (
        a: number | Logs | RecoveredInfo,
        b?: Logs,
      ) => {
        const running = runningCalls.get(model);
        if (running) running.inHook++;
        try {
          await fn.call(inner, a, b);
        } finally {
          if (running) running.inHook--;
        }
      };
    }
  }

  override setModel(model: Sequential): void {
    super.setModel(model);
    if (this.inner instanceof Callback) this.inner.setModel(model);
    else if (typeof this.inner.setModel === 'function')
      (this.inner.setModel as (m: Sequential) => void)(model);
  }

  override setParams(params: TrainingParams): void {
    super.setParams(params);
    if (this.inner instanceof Callback) this.inner.setParams(params);
    else if (typeof this.inner.setParams === 'function')
      (this.inner.setParams as (p: TrainingParams) => void)(params);
  }
}

/**
 * fit's callbacks checked and wrapped: each a Callback, or an object with hook functions (as in
 * TensorFlow.js: `{ onEpochEnd: (epoch, logs) => ... }`); anything else is refused by position.
 */
export function guardCallbacks(model: Sequential, callbacks: unknown): Callback[] | undefined {
  if (callbacks === undefined) return undefined;
  if (!Array.isArray(callbacks)) {
    throw new InvalidArgumentError(
      `fit(callbacks) must be an array of Callback objects, ${received(callbacks)}`,
    );
  }
  return callbacks.map((c: unknown, i) => {
    const what = `fit(callbacks[${i}])`;
    if (c === null || typeof c !== 'object') {
      throw new InvalidArgumentError(
        `${what} must be a Callback (extend Callback, or use LambdaCallback), ${received(c)}`,
      );
    }
    const record = c as Record<string, unknown>;
    const bad = HOOKS.find((h) => record[h] !== undefined && typeof record[h] !== 'function');
    if (bad) throw new InvalidArgumentError(`${what}.${bad} must be a function, ${received(record[bad])}`);
    if (!(c instanceof Callback) && !HOOKS.some((h) => typeof record[h] === 'function')) {
      throw new InvalidArgumentError(
        `${what} has none of the hooks ${HOOKS.join(', ')}; extend Callback, or use LambdaCallback`,
      );
    }
    return new GuardedCallback(record, model);
  });
}
