/**
 * Which executor fit uses: the planned WebGPU step (planned-step.ts) where the model lives on
 * WebGPU, else eager dispatch. Planning is tried once, for the full batch size, before training
 * starts, so a step the tracer cannot handle falls back before any weight has changed.
 */
import { WebGPUBackend } from '../../backend/webgpu/webgpu-backend';
import { InvalidArgumentError } from '../../errors';
import type { Run } from './fit';
import { PlannedTrainer } from './planned-step';

export type Executor = 'auto' | 'planned' | 'eager';

export function chooseExecutor(executor: Executor, run: Run): PlannedTrainer | null {
  if (executor !== 'auto' && executor !== 'planned' && executor !== 'eager') {
    throw new InvalidArgumentError(
      `fit(executor): expected 'auto', 'planned' or 'eager', received ${JSON.stringify(executor)}`,
    );
  }
  if (executor === 'eager') return null;
  const { model, compiled, data } = run;
  const backend = model.variables[0]?.value.backend;
  if (!(backend instanceof WebGPUBackend)) {
    if (executor === 'planned') {
      throw new InvalidArgumentError(
        `fit(executor='planned'): the model's weights live on ${backend?.description ?? 'no backend'}; planned steps run on WebGPU`,
      );
    }
    return null;
  }
  let trainer: PlannedTrainer | null = null;
  try {
    trainer = new PlannedTrainer(
      backend,
      model,
      compiled,
      run.seed,
      run.weights !== null,
      data.train.x.shape.slice(1),
      data.train.y.shape.slice(1),
    );
    trainer.prepare(Math.min(run.batchSize, data.train.x.shape[0]));
    return trainer;
  } catch (e) {
    trainer?.destroy();
    if (executor === 'planned') throw e;
    console.warn(`fit: the training step could not be planned (${(e as Error).message}); running eagerly`);
    return null;
  }
}
