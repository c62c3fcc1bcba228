/**
 * Where fit meets `setBackend('auto')`: before the model is placed and its step compiled, fit
 * hands the chooser (src/graph/backend-choice.ts) the step it is about to run, so the backend
 * is picked for this model and batch shape rather than in general. The probe is the same step
 * program fit compiles, traced as planned-step.ts traces it, with host copies of the first batch,
 * the weights and the optimizer's slots: timing it changes nothing of the model.
 */
import { backendChooser, type StepProbe } from '../../graph/backend-choice';
import { currentBackend } from '../../graph/engine';
import { readTensors } from '../../graph/read-tensors';
import { sizeOf } from '../../graph/shape';
import { gatherRows } from './data';
import { PlannedTrainer } from './planned-step';
import type { Run } from './run';

/** What a choice is kept by: everything that shapes the step's cost, nothing of the weights' values. */
function choiceKey(run: Run, rows: number): string {
  const { model, compiled, data } = run;
  return JSON.stringify([
    model.getConfig().layers,
    compiled.optimizer.className,
    compiled.optimizer.slotKeys,
    compiled.loss.config,
    compiled.metrics.map((m) => m.name),
    data.train.x.shape.slice(1),
    data.train.y.shape.slice(1),
    rows,
    run.weights !== null,
    model.variables.map((v) => v.trainable),
  ]);
}

async function makeProbe(run: Run, rows: number): Promise<StepProbe> {
  const { model, compiled, data } = run;
  const optimizer = compiled.optimizer;
  // Traced for the backend the weights live on, so a captured constant is read from there.
  const home = model.variables[0]?.value.backend ?? currentBackend();
  const tracer = new PlannedTrainer(
    home,
    model,
    compiled,
    run.seed,
    run.weights !== null,
    data.train.x.shape.slice(1),
    data.train.y.shape.slice(1),
  );
  const program = tracer.trace(rows);
  const shapeOf = (id: number) => program.values[id].shape;
  const scalars = optimizer.stepScalars();
  const batch: Record<string, Float32Array> = {
    x: gatherRows(data.train.x, 0, rows),
    y: gatherRows(data.train.y, 0, rows),
    ...(run.weights ? { sampleWeights: run.weights.slice(0, rows) } : {}),
  };
  const inputs = new Map<string, Float32Array>();
  for (const name of program.inputs.keys()) {
    // The rest are the optimizer's step scalars, `scalar.<k>`.
    inputs.set(name, batch[name] ?? Float32Array.of(scalars[Number(name.slice('scalar.'.length))]));
  }
  const variables = new Map(model.variables.map((v) => [v.name, v.value]));
  const slots = optimizer.getState().slots;
  const held = program.state.filter((s) => variables.has(s.name) || slots.has(s.name));
  // One batched read (readTensors copies: the probe's arrays are its own).
  const read = await readTensors(held.map((s) => (variables.get(s.name) ?? slots.get(s.name))!));
  const values = new Map(held.map((s, k) => [s.name, read[k]]));
  const state = new Map(
    program.state.map((s) => [s.name, values.get(s.name) ?? new Float32Array(sizeOf(shapeOf(s.input)))]),
  );
  const iteration = optimizer.iterations;
  return {
    program,
    rows,
    reads: compiled.metrics.length > 0 ? ['loss', 'yPred'] : ['loss'],
    inputs,
    state,
    beforeStep: (step, k) => step.setParams('dropout', (p) => ({ ...p, step: iteration + k })),
  };
}

/**
 * Lets the chooser in force (setBackend('auto')) make the backend that suits this run current;
 * nothing happens without one. The model is placed on the backend afterwards, by the caller.
 */
export async function chooseBackendFor(run: Run): Promise<void> {
  const choose = backendChooser();
  if (!choose) return;
  const rows = Math.min(run.batchSize, run.data.train.x.shape[0]);
  await choose({ key: choiceKey(run, rows), probe: () => makeProbe(run, rows) });
}
