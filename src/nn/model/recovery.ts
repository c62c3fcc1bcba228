/**
 * fit's recovery from a device fault. When the device a run trains on is lost (DeviceLostError) or
 * cannot allocate what the step needs (DeviceAllocationError), fit takes the model's last-good
 * state (last-good.ts), asks graph/engine's `recoverBackend` for a backend to go on with (a new
 * WebGPU device, else the CPU; for an allocation fault the CPU), puts the state there, drops the
 * compiled steps of the dead backend and compiles the step again. Training goes on from the last
 * completed epoch: the interrupted epoch is re-run from its start, with the same shuffle (seeded
 * per epoch) and the step count of the state, so its losses are those of an unfaulted run resumed
 * from that epoch. At most MAX_RECOVERIES per fit; a run that cannot go on rejects with
 * FitRecoveryError, the model left readable at its last-good state.
 */
import { BackendError, DeviceAllocationError, DeviceLostError } from '../../errors';
import type { Backend } from '../../graph/backend';
import { currentBackend, hostBackend, recoverBackend } from '../../graph/engine';
import type { RecoveredInfo } from './callback';
import { chooseExecutor, destroyQuietly, type Executor, forgetTrainingSteps } from './executor';
import { forgetInferenceSteps } from './inference';
import { ensureReadable, lastGoodOf, lostCause, restoreLastGood } from './last-good';
import { assertFits } from './memory';
import type { Run } from './run';
import { yieldToEventLoop } from './step';
import type { StepRunner } from './step-runner';

/** Recoveries one fit call makes before it gives up (a device that keeps failing is not retried forever). */
export const MAX_RECOVERIES = 2;

export type DeviceFault = DeviceLostError | DeviceAllocationError;

/** A fit that could not go on after a device fault; the model holds its last-good state. */
export class FitRecoveryError extends BackendError {
  constructor(
    message: string,
    /** The fault that stopped the run. */
    readonly fault: Error,
    /** Epochs completed in the state the model was left at. */
    readonly epoch: number,
  ) {
    super(message);
  }
}

/**
 * The device fault behind `e`, or null when `e` is another error. Once the backend the run trains
 * on is lost, any error is taken as its consequence (a read moved the model to the host, and the
 * step refuses its tensors). A read that fails as the device goes may reject before the backend
 * has heard of the loss, so for a BackendError the backend is asked again after a few turns of the
 * event loop.
 */
export async function deviceFaultOf(e: unknown, backend: Backend): Promise<DeviceFault | null> {
  if (e instanceof DeviceLostError || e instanceof DeviceAllocationError) return e;
  if (e instanceof BackendError) {
    for (let i = 0; i < 5 && !lostCause(backend); i++) await yieldToEventLoop();
  }
  return lostCause(backend);
}

/** The backend the model's weights live on (where fit trains). */
export function modelBackend(run: Run): Backend {
  return run.model.variables[0]?.value.backend ?? currentBackend();
}

/** Leaves the model at its last-good state on a live backend and returns the error fit rejects with. */
function cannotContinue(run: Run, fault: Error, why: string): FitRecoveryError {
  const live = lostCause(currentBackend()) ? hostBackend() : currentBackend();
  restoreLastGood(run.model, live);
  const epoch = lastGoodOf(run.model)?.epoch ?? 0;
  return new FitRecoveryError(
    `${run.model.name}.fit: ${why} (${fault.message}); training stopped and the model holds its ` +
      `last-good state, after ${epoch} epoch(s), on ${live.description}`,
    fault,
    epoch,
  );
}

/** The backend `recoverBackend` gives in place of `failed`, or the error fit rejects with. */
async function replaceBackend(run: Run, failed: Backend, fault: Error): Promise<Backend> {
  try {
    return await recoverBackend(failed, fault);
  } catch (e) {
    throw cannotContinue(
      run,
      fault,
      `no backend could replace ${failed.description}: ${(e as Error).message}`,
    );
  }
}

/**
 * Moves the run from `failed` onto a replacement backend after `fault`: returns the new step runner, the model's
 * state restored there; `runner` (of the dead backend) is destroyed. Throws FitRecoveryError (or
 * OutOfMemoryError when the CPU's budget cannot take the model either) when the run cannot go on.
 */
export async function recoverRun(
  run: Run,
  runner: StepRunner,
  failed: Backend,
  fault: DeviceFault,
  executor: Executor,
): Promise<StepRunner> {
  const { model } = run;
  destroyQuietly(runner);
  forgetTrainingSteps(model);
  forgetInferenceSteps(model);
  if (run.recoveries >= MAX_RECOVERIES) {
    throw cannotContinue(run, fault, `the device failed again after ${run.recoveries} recoveries`);
  }
  const state = lastGoodOf(model);
  if (!state) throw cannotContinue(run, fault, 'no last-good state was taken before the fault');
  const next = await replaceBackend(run, failed, fault);
  restoreLastGood(model, next);
  run.recoveries++;
  if (fault instanceof DeviceAllocationError && model.inputShape) {
    // The step did not fit the device: it must fit the CPU's budget, or the run ends here.
    assertFits(`${model.name}.fit (recovering on ${next.description})`, model.layers, model.inputShape, {
      batchSize: run.batchSize,
      training: true,
      slotsPerWeight: run.compiled.optimizer.slotKeys.length,
    });
  }
  const info: RecoveredInfo = {
    epoch: state.epoch,
    from: failed.description,
    to: next.description,
    cause: fault.message,
  };
  const trainer = chooseExecutor(executor, run);
  await run.callbacks.recovered(info);
  return trainer;
}

/**
 * A fit that starts while the current backend's device is gone (lost between calls): the backend
 * is replaced first and the model moved from its last-good state, as for a fault mid-fit, so the
 * run trains instead of failing at its first upload. Counts as one of the run's recoveries.
 */
export async function recoverBeforeFit(run: Run, initialEpoch: number): Promise<void> {
  const failed = currentBackend();
  const fault = lostCause(failed);
  if (!fault) return;
  ensureReadable(run.model);
  forgetTrainingSteps(run.model);
  forgetInferenceSteps(run.model);
  const next = await replaceBackend(run, failed, fault);
  run.recoveries++;
  await run.callbacks.recovered({
    epoch: initialEpoch,
    from: failed.description,
    to: next.description,
    cause: fault.message,
  });
}
