/**
 * Not a test: the W2 and W3 steps on the planned path issued one at a time (each read awaited before the
 * next step) and pipelined (step k+1 issued before step k's read), next to eager steps, in turns.
 */
import { afterAll, beforeAll, it } from 'vitest';
import { WebGPUBackend } from '../../../src/backend/webgpu/webgpu-backend';
import { tensor, useBackend } from '../../../src/graph/engine';
import { Random } from '../../../src/graph/random';
import { Dense, Sequential } from '../../../src/index';
import { PlannedTrainer } from '../../../src/nn/model/planned-step';
import { trainStep } from '../../../src/nn/model/step';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await WebGPUBackend.create();
});
afterAll(() => gpu?.destroy());

interface Workload {
  name: string;
  layers: { units: number; inputs?: number }[];
  rows: number;
  steps: number;
  rounds: number;
  /** The class every row of the batch belongs to. */
  hot: number;
}

/** Times one workload's step: planned and awaited, planned and pipelined, eager; prints each round. */
async function measure({ name, layers, rows, steps, rounds, hot }: Workload): Promise<void> {
  useBackend(gpu);
  const inputs = layers[0].inputs!;
  const classes = layers[layers.length - 1].units;
  const model = new Sequential({
    seed: 1,
    layers: layers.map(
      (l, i) =>
        new Dense({
          units: l.units,
          activation: i === layers.length - 1 ? 'softmax' : 'relu',
          ...(l.inputs ? { inputShape: [l.inputs] } : {}),
        }),
    ),
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const rng = new Random(3);
  const batch = {
    x: Float32Array.from({ length: rows * inputs }, () => rng.uniform()),
    y: Float32Array.from({ length: rows * classes }, (_, i) => (i % classes === hot ? 1 : 0)),
    w: null,
    rows,
  };
  const trainer = new PlannedTrainer(gpu, model, model.compiled!, 0, false, [inputs], [classes]);
  trainer.load();
  await trainer.issue(batch);
  for (let round = 0; round < rounds; round++) {
    let t = performance.now();
    for (let i = 0; i < steps; i++) await trainer.issue(batch);
    const awaited = (performance.now() - t) / steps;
    t = performance.now();
    let previous = trainer.issue(batch);
    for (let i = 1; i < steps; i++) {
      const next = trainer.issue(batch);
      await previous;
      previous = next;
    }
    await previous;
    const pipelined = (performance.now() - t) / steps;
    t = performance.now();
    for (let i = 0; i < steps; i++) {
      const step = trainStep(
        model,
        model.compiled!,
        tensor(batch.x, [rows, inputs]),
        tensor(batch.y, [rows, classes]),
        null,
        0,
      );
      await step.loss.item();
      step.commit();
    }
    const eager = (performance.now() - t) / steps;
    console.log(
      `${name} step, round ${round}: planned awaited ${awaited.toFixed(0)} ms, planned pipelined ${pipelined.toFixed(0)} ms, eager ${eager.toFixed(0)} ms; ${trainer.counters.dispatchesPerStep} dispatches/step`,
    );
  }
  trainer.destroy();
}

it('W2 step: awaited, pipelined, eager', () =>
  measure({
    name: 'W2',
    layers: [{ units: 256, inputs: 784 }, { units: 128 }, { units: 10 }],
    rows: 128,
    steps: 6,
    rounds: 2,
    hot: 3,
  }));

it('W3 step: awaited, pipelined, eager', () =>
  measure({
    name: 'W3',
    layers: [{ units: 16, inputs: 4 }, { units: 3 }],
    rows: 16,
    steps: 60,
    rounds: 3,
    hot: 1,
  }));
