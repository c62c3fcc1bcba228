/**
 * Which step fit's loop drives: the model's backend compiles the traced step program
 * (planned-step.ts) unless asked for eager dispatch. Compiling is tried once, for the full batch
 * size, before training starts, so a step the tracer cannot handle falls back to eager before any
 * weight has changed.
 *
 * The compiled steps are kept with the model between fit calls and reused while the model's
 * variables, its compile() (optimizer, loss, metrics), the backend, the seed, class weights and
 * the sample shapes are the same: a fit call then traces and allocates nothing (the state is
 * copied in when each epoch starts, so weights changed between calls are seen). Another
 * configuration replaces them; the steps' GPU buffers are freed when the model is collected.
 */

import { InvalidArgumentError } from '../../errors';
import type { Backend } from '../../graph/backend';
import { currentBackend } from '../../graph/engine';
import type { CompiledStep } from '../../graph/program/compiled-step';
import { EagerTrainer } from './eager-step';
import { PlannedTrainer } from './planned-step';
import type { Run } from './run';
import type { Compiled, Sequential } from './sequential';
import type { StepRunner } from './step-runner';

/** What a kept trainer was made for: reused only while every part is the same. */
interface Kept {
  readonly trainer: PlannedTrainer;
  readonly compiled: Compiled;
  readonly backend: Backend;
  readonly variables: readonly unknown[];
  /** Seed, class weights, shapes and which variables train, as one string. */
  readonly signature: string;
}

const kept = new WeakMap<Sequential, Kept>();
/** Frees a collected model's compiled steps (the held value references the steps, not the model). */
const release = new FinalizationRegistry<Map<number, CompiledStep>>((steps) => {
  for (const step of steps.values()) step.destroy();
});

function signatureOf(run: Run): string {
  const { model, data } = run;
  return JSON.stringify([
    run.seed,
    run.weights !== null,
    data.train.x.shape.slice(1),
    data.train.y.shape.slice(1),
    model.variables.map((v) => [v.name, v.trainable, v.shape]),
  ]);
}

function keptFor(run: Run, backend: Backend): PlannedTrainer | null {
  const k = kept.get(run.model);
  if (!k) return null;
  const variables = run.model.variables;
  const same =
    k.compiled === run.compiled &&
    k.backend === backend &&
    k.variables.length === variables.length &&
    k.variables.every((v, j) => v === variables[j]) &&
    k.signature === signatureOf(run);
  if (same) return k.trainer;
  kept.delete(run.model);
  release.unregister(k.trainer);
  k.trainer.destroy();
  return null;
}

/**
 * Drops the model's kept training steps (their backend's device is gone, fit recovers onto another):
 * freeing them may fail on the dead device, which is no loss.
 */
export function forgetTrainingSteps(model: Sequential): void {
  const k = kept.get(model);
  if (!k) return;
  kept.delete(model);
  release.unregister(k.trainer);
  destroyQuietly(k.trainer);
}

/** Destroys a runner whose device may be gone: what it held is unreachable either way. */
export function destroyQuietly(runner: { destroy(): void }): void {
  try {
    runner.destroy();
  } catch {
    // The device is gone; its buffers went with it.
  }
}

/** Gives back a runner fit is done with: a kept trainer stays, any other is destroyed. */
export function releaseRunner(model: Sequential, runner: StepRunner): void {
  if (kept.get(model)?.trainer !== runner) runner.destroy();
}

export type Executor = 'auto' | 'planned' | 'eager';

export function chooseExecutor(executor: Executor, run: Run): StepRunner {
  if (executor !== 'auto' && executor !== 'planned' && executor !== 'eager') {
    throw new InvalidArgumentError(
      `fit(executor): expected 'auto', 'planned' or 'eager', received ${JSON.stringify(executor)}`,
    );
  }
  const { model, compiled, data } = run;
  const xShape = data.train.x.shape.slice(1);
  const yShape = data.train.y.shape.slice(1);
  const eager = () => new EagerTrainer(model, compiled, run.seed, xShape, yShape);
  if (executor === 'eager') return eager();
  const backend = model.variables[0]?.value.backend ?? currentBackend();
  const rows = Math.min(run.batchSize, data.train.x.shape[0]);
  const reused = keptFor(run, backend);
  let trainer: PlannedTrainer | null = reused;
  try {
    trainer ??= new PlannedTrainer(backend, model, compiled, run.seed, run.weights !== null, xShape, yShape);
    trainer.prepare(rows);
    if (!reused) {
      kept.set(model, {
        trainer,
        compiled,
        backend,
        variables: model.variables,
        signature: signatureOf(run),
      });
      release.register(model, trainer.compiledSteps, trainer);
    }
    return trainer;
  } catch (e) {
    if (trainer) {
      kept.delete(model);
      release.unregister(trainer);
    }
    trainer?.destroy();
    if (executor === 'planned') throw e;
    console.warn(`fit: the training step could not be planned (${(e as Error).message}); running eagerly`);
    return eager();
  }
}
