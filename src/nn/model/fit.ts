/**
 * fit: epochs of shuffled mini-batches, each one training step (see step.ts), with callbacks
 * around training, epochs and batches. Between batches, every few milliseconds (yieldEvery in
 * step.ts), fit yields to the event loop, so a page stays responsive and a Worker takes its
 * messages, and it stops after the current batch when `model.stopTraining` is set or `signal`
 * aborts.
 */
import { InvalidArgumentError } from '../../errors';
import type { Backend } from '../../graph/backend';
import { chooseBackendFor } from './backend-probe';
import { CallbackList, type Logs } from './callback';
import { classSampleWeights, hostRows, type ModelInput } from './data';
import { runEpoch } from './epoch';
import { chooseExecutor, releaseRunner } from './executor';
import type { FitOptions } from './fit-options';
import { History } from './history';
import { captureLastGood, lastGoodOf, restoreLastGood } from './last-good';
import { recordEpochLoss } from './loss-record';
import { placeOnCurrentBackend } from './placement';
import { ProgressLogger } from './progress-logger';
import { type DeviceFault, deviceFaultOf, modelBackend, recoverBeforeFit, recoverRun } from './recovery';
import type { Run, Split } from './run';
import type { Compiled, Sequential } from './sequential';
import { positiveInteger, prepareData } from './step';
import type { StepRunner } from './step-runner';

function checkFitOptions(o: FitOptions): void {
  positiveInteger('fit(epochs)', o.epochs ?? 1);
  positiveInteger('fit(batchSize)', o.batchSize ?? 32);
  const split = o.validationSplit ?? 0;
  if (!(split >= 0 && split < 1)) {
    throw new InvalidArgumentError(`fit(validationSplit) must be in [0, 1), received ${o.validationSplit}`);
  }
  if (split > 0 && o.validationData) {
    throw new InvalidArgumentError('fit: give validationSplit or validationData, not both');
  }
  const initial = o.initialEpoch ?? 0;
  if (!Number.isInteger(initial) || initial < 0) {
    throw new InvalidArgumentError(
      `fit(initialEpoch) must be a non-negative integer, received ${o.initialEpoch}`,
    );
  }
  if (o.seed !== undefined && !Number.isInteger(o.seed)) {
    throw new InvalidArgumentError(`fit(seed) must be an integer, received ${o.seed}`);
  }
}
/** Validated host data, with the validation part taken from validationData or the last samples. */
async function splitData(
  model: Sequential,
  compiled: Compiled,
  x: ModelInput,
  y: ModelInput,
  o: FitOptions,
): Promise<Split> {
  const all = await prepareData(model, compiled, 'fit', x, y);
  if (o.validationData) {
    return {
      train: all,
      validation: await prepareData(model, compiled, 'fit(validationData)', ...o.validationData),
    };
  }
  if (!o.validationSplit) return { train: all, validation: null };
  const n = all.x.shape[0];
  const cut = n - Math.floor(n * o.validationSplit);
  if (cut === n || cut === 0) {
    throw new InvalidArgumentError(
      `fit(validationSplit=${o.validationSplit}): ${n} samples leave ${n - cut} for validation and ${cut} for training; both need at least one`,
    );
  }
  return {
    train: { x: hostRows(all.x, 0, cut), y: hostRows(all.y, 0, cut) },
    validation: { x: hostRows(all.x, cut, n), y: hostRows(all.y, cut, n) },
  };
}

export async function fitModel(
  model: Sequential,
  x: ModelInput,
  y: ModelInput,
  o: FitOptions,
): Promise<History> {
  const compiled = model.requireCompiled('fit');
  checkFitOptions(o);
  const { epochs = 1, batchSize = 32, initialEpoch = 0, shuffle = true, verbose = 0 } = o;
  const data = await splitData(model, compiled, x, y, o);
  const weights = o.classWeight
    ? classSampleWeights(o.classWeight, data.train.y, compiled.loss.config)
    : null;
  const history = o.history ?? new History();
  history.error = null;
  history.stopped = false;
  const callbacks = new CallbackList([
    ...(o.callbacks ?? []),
    ...(verbose > 0 ? [new ProgressLogger()] : []),
    history,
  ]);
  const keys = ['loss', ...compiled.metrics.map((m) => m.name)];
  const samples = data.train.x.shape[0];
  callbacks.configure(model, {
    epochs,
    initialEpoch,
    steps: Math.ceil(samples / batchSize),
    samples,
    batchSize,
    verbose,
    metrics: data.validation ? [...keys, ...keys.map((k) => `val_${k}`)] : keys,
  });
  const aborted = () => o.signal?.aborted === true;
  const run: Run = {
    model,
    compiled,
    data,
    weights,
    batchSize,
    shuffle,
    seed: o.seed ?? model.seed,
    callbacks,
    history,
    aborted,
    recoveries: 0,
    firstLoss: Number.NaN,
  };
  // A continued History's epochs count towards the model's lowest epoch loss, the guard's reference.
  recordEpochLoss(model, Math.min(...(history.history.loss ?? []).filter(Number.isFinite)));
  await recoverBeforeFit(run, initialEpoch);
  // setBackend('auto') picks the backend for this model and batch size here, before the step compiles.
  await chooseBackendFor(run);
  await placeOnCurrentBackend(model);
  const executor = o.executor ?? 'auto';
  let trainer = chooseExecutor(executor, run);
  /** Where the steps run: a fault is judged by this backend, whatever a read moved the model to. */
  let backend = modelBackend(run);
  model.stopTraining = false;
  try {
    await captureLastGood(model, initialEpoch);
    await callbacks.trainBegin({});
    const { lastLogs, captured } = await trainEpochs(run, initialEpoch, epochs, {
      runner: () => trainer,
      backend: () => backend,
      recover: async (fault) => {
        trainer = await recoverRun(run, trainer, backend, fault, executor);
        backend = modelBackend(run);
      },
    });
    // A failed run (non-finite or diverging loss) goes back to the last completed epoch.
    if (history.error !== null) restoreLastGood(model, modelBackend(run));
    else if (!captured) await captureLastGood(model, lastGoodOf(model)?.epoch ?? initialEpoch);
    history.stopped = model.stopTraining || aborted() || history.error !== null;
    await callbacks.trainEnd(lastLogs);
  } finally {
    releaseRunner(model, trainer);
  }
  return history;
}

interface Recovering {
  runner: () => StepRunner;
  backend: () => Backend;
  recover: (fault: DeviceFault) => Promise<void>;
}

/**
 * The epochs from `first`, each captured as the last-good state once its logs are in (before its
 * epochEnd callbacks, so they and any read after a device loss see it). A device fault anywhere in
 * an epoch (a step, a readback, validation, a callback's read) recovers and re-runs the epoch from
 * its start; one during the epochEnd callbacks finishes them from the one that was running.
 */
async function trainEpochs(
  run: Run,
  first: number,
  epochs: number,
  r: Recovering,
): Promise<{ lastLogs: Logs; captured: boolean }> {
  const { model, callbacks, aborted } = run;
  let lastLogs: Logs = {};
  let ended: Logs | null = null;
  /** Whether the last-good state is the model's state now (no step since the last capture). */
  let captured = true;
  for (let epoch = first; epoch < epochs && !model.stopTraining && !aborted(); ) {
    try {
      if (ended) await callbacks.resumeEpochEnd();
      else {
        await callbacks.epochBegin(epoch, {});
        captured = false;
        const logs = await runEpoch(run, epoch, r.runner());
        if (!logs) break;
        await captureLastGood(model, epoch + 1);
        captured = true;
        ended = logs;
        await callbacks.epochEnd(epoch, logs);
      }
      lastLogs = ended;
      ended = null;
      epoch++;
    } catch (e) {
      const fault = await deviceFaultOf(e, r.backend());
      if (!fault) throw e;
      await r.recover(fault);
      // Re-run the interrupted epoch, unless it had ended and only its callbacks were left.
      if (!ended) epoch = lastGoodOf(model)?.epoch ?? epoch;
      captured = true;
    }
  }
  return { lastLogs, captured };
}
