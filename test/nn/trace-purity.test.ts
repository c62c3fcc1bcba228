/**
 * Tracing a step changes nothing of the model: the training and inference programs are built
 * from their inputs (CallContext.weights, Optimizer.update), so no variable is assigned and the
 * optimizer's state is not touched while a step is traced, compiled and run.
 */
import { expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import { useBackend } from '../../src/graph/engine';
import { Adam, BatchNormalization, Dense, Sequential } from '../../src/index';
import type { LayerVariable } from '../../src/nn/layers/layer';
import { PlannedTrainer } from '../../src/nn/model/planned-step';

/** Records every assignment to a variable's value while `body` runs. */
async function assignmentsDuring(variables: readonly LayerVariable[], body: () => Promise<void>) {
  const seen: string[] = [];
  const restore = variables.map((v) => {
    let value = v.value;
    Object.defineProperty(v, 'value', {
      configurable: true,
      get: () => value,
      set: (t) => {
        seen.push(v.name);
        value = t;
      },
    });
    return () => {
      Object.defineProperty(v, 'value', { configurable: true, writable: true, value });
    };
  });
  try {
    await body();
  } finally {
    for (const r of restore) r();
  }
  return seen;
}

it('traces, compiles and runs the training and inference steps without assigning a weight or optimizer state', async () => {
  const backend = new CpuBackend();
  const previous = useBackend(backend);
  try {
    const model = new Sequential({
      seed: 2,
      layers: [
        new Dense({ units: 4, activation: 'relu', inputShape: [3] }),
        new BatchNormalization(),
        new Dense({ units: 2, activation: 'softmax' }),
      ],
    });
    const optimizer = new Adam({ learningRate: 0.01 });
    model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
    const trainer = new PlannedTrainer(backend, model, model.compiled!, 0, false, [3], [1]);
    trainer.load();
    const state = optimizer.getState();
    const setState = optimizer.setState.bind(optimizer);
    let stateSets = 0;
    optimizer.setState = (s) => {
      stateSets++;
      setState(s);
    };
    const batch = {
      x: Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)),
      y: Float32Array.of(0, 1, 1, 0),
      w: null,
      rows: 4,
    };
    const assigned = await assignmentsDuring(model.variables, async () => {
      const [loss] = await trainer.issue(batch);
      expect(Number.isFinite(loss[0])).toBe(true);
      await model.predict([[1, 2, 3]]);
    });
    expect(assigned).toEqual([]);
    expect(stateSets).toBe(0);
    // Issuing a step counts it (the host's step scalars follow the count); tracing changed nothing else.
    expect(optimizer.getState().iterations).toBe(state.iterations + 1);
    expect([...optimizer.getState().slots.keys()]).toEqual([...state.slots.keys()]);
    trainer.destroy();
  } finally {
    useBackend(previous);
  }
});
