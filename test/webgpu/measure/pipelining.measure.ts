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

it('W2 step: awaited, pipelined, eager', async () => {
  useBackend(gpu);
  const model = new Sequential({
    seed: 1,
    layers: [
      new Dense({ units: 256, activation: 'relu', inputShape: [784] }),
      new Dense({ units: 128, activation: 'relu' }),
      new Dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const rng = new Random(3);
  const batch = {
    x: Float32Array.from({ length: 128 * 784 }, () => rng.uniform()),
    y: Float32Array.from({ length: 1280 }, (_, i) => (i % 10 === 3 ? 1 : 0)),
    w: null,
    rows: 128,
  };
  const trainer = new PlannedTrainer(gpu, model, model.compiled!, 0, false, [784], [10]);
  trainer.load();
  await trainer.issue(batch);
  const steps = 6;
  for (let round = 0; round < 2; round++) {
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
        tensor(batch.x, [128, 784]),
        tensor(batch.y, [128, 10]),
        null,
        0,
      );
      await step.loss.item();
      step.commit();
    }
    const eager = (performance.now() - t) / steps;
    console.log(
      `W2 step, round ${round}: planned awaited ${awaited.toFixed(0)} ms, planned pipelined ${pipelined.toFixed(0)} ms, eager ${eager.toFixed(0)} ms; ${trainer.counters.dispatchesPerStep} dispatches/step`,
    );
  }
  trainer.destroy();
});

it('W3 step: awaited, pipelined, eager', async () => {
  useBackend(gpu);
  const model = new Sequential({
    seed: 1,
    layers: [
      new Dense({ units: 16, activation: 'relu', inputShape: [4] }),
      new Dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const rng = new Random(3);
  const batch = {
    x: Float32Array.from({ length: 16 * 4 }, () => rng.uniform()),
    y: Float32Array.from({ length: 48 }, (_, i) => (i % 3 === 1 ? 1 : 0)),
    w: null,
    rows: 16,
  };
  const trainer = new PlannedTrainer(gpu, model, model.compiled!, 0, false, [4], [3]);
  trainer.load();
  await trainer.issue(batch);
  const steps = 60;
  for (let round = 0; round < 3; round++) {
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
        tensor(batch.x, [16, 4]),
        tensor(batch.y, [16, 3]),
        null,
        0,
      );
      await step.loss.item();
      step.commit();
    }
    const eager = (performance.now() - t) / steps;
    console.log(
      `W3 step, round ${round}: planned awaited ${awaited.toFixed(0)} ms, planned pipelined ${pipelined.toFixed(0)} ms, eager ${eager.toFixed(0)} ms; ${trainer.counters.dispatchesPerStep} dispatches/step`,
    );
  }
  trainer.destroy();
});
