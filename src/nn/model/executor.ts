/**
 * Which step fit's loop drives: the model's backend compiles the traced step program
 * (planned-step.ts) unless asked for eager dispatch. Compiling is tried once, for the full batch
 * size, before training starts, so a step the tracer cannot handle falls back to eager before any
 * weight has changed.
 */
import { InvalidArgumentError } from '../../errors';
import { currentBackend } from '../../graph/engine';
import { EagerTrainer, type StepRunner } from './eager-step';
import type { Run } from './fit';
import { PlannedTrainer } from './planned-step';

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
  let trainer: PlannedTrainer | null = null;
  try {
    trainer = new PlannedTrainer(backend, model, compiled, run.seed, run.weights !== null, xShape, yShape);
    trainer.prepare(Math.min(run.batchSize, data.train.x.shape[0]));
    return trainer;
  } catch (e) {
    trainer?.destroy();
    if (executor === 'planned') throw e;
    console.warn(`fit: the training step could not be planned (${(e as Error).message}); running eagerly`);
    return eager();
  }
}
