/**
 * The fused optimizer kernels (shaders/adam-update.wgsl, sgd-update.wgsl, rmsprop-update.wgsl)
 * against their CPU twins on fresh random inputs, outputs poisoned with NaN, every output and the
 * gradients through all of them; the fused optimizers against the
 * unfused formulas on the GPU, eagerly and in a planned fit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { valueAndGrad } from '../../src/graph/autodiff';
import { tensor, useBackend } from '../../src/graph/engine';
import * as ops from '../../src/graph/ops';
import type { Shape } from '../../src/graph/shape';
import type { Tensor } from '../../src/graph/tensor';
import { Adam, AdamW, Dense, type Optimizer, Sequential, SGD } from '../../src/index';
import { PlannedTrainer } from '../../src/nn/model/planned-step';
import { FUSED_CASES, fusedVsUnfused } from './fused-optimizers';
import { createGpu, ELEMENTWISE, expectClose, onBoth, randn, seed, uniform } from './harness';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await createGpu();
});
afterAll(() => gpu?.destroy());

const SHAPES: Shape[] = [[1], [7], [33], [257], [7, 33]];

const ADAM_CONFIGS = [
  { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  { beta1: 0.5, beta2: 0.8, epsilon: 0.01 },
];

/** The outputs of a multi-output op's named result, in order. */
const outputsOf = (named: object): Tensor[] =>
  Object.values(named).filter((t): t is Tensor => t !== undefined);

/**
 * Every output and the gradients of sum((f_0 + 2 f_1 + ...) * r) for every input, on both
 * backends: each output's own kernel write and its gradient count.
 */
async function twin(label: string, inputs: ReturnType<typeof randn>[], f: (...xs: Tensor[]) => object) {
  for (const shape of SHAPES) {
    const shaped = inputs.map((x) => (x.shape.length === 0 ? x : randnLike(x, shape)));
    let count = 0;
    const r = await onBoth(gpu, [...shaped, randn(shape)], (...xs) => {
      const weights = xs.pop() as Tensor;
      const combined = (...ys: Tensor[]) =>
        outputsOf(f(...ys))
          .map((t, k) => ops.sum(ops.mul(ops.mul(t, weights), k + 1)))
          .reduce((a, b) => ops.add(a, b));
      const { grads } = valueAndGrad(combined)(...xs);
      const outputs = outputsOf(f(...xs));
      count = outputs.length;
      return [...grads, ...outputs];
    });
    const n = inputs.length;
    expectClose(`${label} ${shape} outputs`, r.gpu.slice(n), r.cpu.slice(n), ELEMENTWISE);
    expect(count).toBeGreaterThan(0);
    // Gradients of the step scalars are sums over the tensor: accumulations.
    const tensors = inputs.map((x, k) => (x.shape.length === 0 ? -1 : k)).filter((k) => k >= 0);
    expectClose(
      `${label} ${shape} grads`,
      tensors.map((k) => r.gpu[k]),
      tensors.map((k) => r.cpu[k]),
      ELEMENTWISE,
    );
    const scalars = Array.from({ length: n }, (_, k) => k).filter((k) => !tensors.includes(k));
    expectClose(
      `${label} ${shape} scalar grads`,
      scalars.map((k) => r.gpu[k]),
      scalars.map((k) => r.cpu[k]),
      1e-4,
      1,
    );
  }
}

/** A fresh draw like `x` (its range given by its kind) in `shape`. */
function randnLike(x: ReturnType<typeof randn>, shape: Shape) {
  const positive = x.values.every((v) => v > 0);
  return positive ? uniform(shape, 0.05, 2) : randn(shape);
}

describe('fused optimizer kernels match the CPU', () => {
  it.each(ADAM_CONFIGS)('adamUpdate, %j', async (config) => {
    const like = [randn([2]), randn([2]), randn([2]), uniform([2], 0.05, 2)];
    await twin(
      `adamUpdate (seed ${seed})`,
      [...like, uniform([], 0.01, 0.5), uniform([], 0, 0.1)],
      (w, g, m, v, a, d) => ops.adamUpdate(w, g, m, v, a, d, config),
    );
  });
  for (const config of [
    { momentum: 0.9, nesterov: false },
    { momentum: 0.8, nesterov: true },
    { momentum: 0, nesterov: false },
    { momentum: 0, nesterov: true },
  ]) {
    it(`sgdUpdate, ${JSON.stringify(config)}`, async () => {
      await twin('sgdUpdate', [randn([2]), randn([2]), randn([2]), uniform([], 0.01, 0.5)], (w, g, v, lr) =>
        ops.sgdUpdate(w, g, v, lr, config),
      );
    });
  }
});

describe('fused RMSprop kernel matches the CPU', () => {
  for (const config of [
    { rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false },
    { rho: 0.8, momentum: 0.9, epsilon: 1e-3, centered: true },
    { rho: 0.8, momentum: 0, epsilon: 1e-3, centered: true },
    { rho: 0.7, momentum: 0.5, epsilon: 1e-3, centered: false },
  ]) {
    it(`rmspropUpdate, ${JSON.stringify(config)}`, async () => {
      await twin(
        'rmspropUpdate',
        [
          randn([2]),
          randn([2]),
          uniform([2], 0.5, 2),
          uniform([2], 0.01, 0.3),
          randn([2]),
          uniform([], 0.01, 0.5),
        ],
        (w, g, v, a, m, lr) => ops.rmspropUpdate(w, g, v, a, m, lr, config),
      );
    });
  }
});

describe('fused optimizers on WebGPU equal the unfused formulas', () => {
  it.each(FUSED_CASES)('%s', async (_name, spec) => {
    await fusedVsUnfused(gpu, spec, seed);
  });
});

describe('the planned step with fused and unfused updates', () => {
  const optimizers: [string, (fused: boolean) => Optimizer][] = [
    ['Adam', (fused) => new Adam({ learningRate: 0.01, fused })],
    [
      'AdamW, cosine schedule',
      (fused) =>
        new AdamW({
          weightDecay: 0.1,
          fused,
          learningRate: { type: 'cosine', initialLearningRate: 0.02, decaySteps: 4, alpha: 0.1 },
        }),
    ],
    ['SGD Nesterov', (fused) => new SGD({ learningRate: 0.05, momentum: 0.9, nesterov: true, fused })],
  ];
  it.each(optimizers)('%s: same losses, weights and slots; fewer dispatches', async (_name, optimizer) => {
    const rows = 20;
    const x = randn([rows, 5]);
    const y = Float32Array.from({ length: rows * 3 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0));
    const run = async (fused: boolean) => {
      const previous = useBackend(gpu);
      try {
        const model = new Sequential({
          seed: 2,
          layers: [new Dense({ units: 8, activation: 'relu', inputShape: [5] }), new Dense({ units: 3 })],
        });
        model.compile({ optimizer: optimizer(fused), loss: 'categoricalCrossentropy' });
        const compiled = model.compiled!;
        const trainer = new PlannedTrainer(gpu, model, compiled, 0, false, [5], [3]);
        trainer.load();
        const losses: number[] = [];
        for (let step = 0; step < 6; step++) {
          const [loss] = await trainer.issue({ x: x.values, y, w: null, rows });
          losses.push(loss[0]);
        }
        trainer.store();
        const { dispatchesPerStep } = trainer.counters;
        trainer.destroy();
        const weights = await Promise.all(model.variables.map((v) => v.value.data()));
        const slots = await Promise.all(
          [...compiled.optimizer.getState().slots.values()].map((t) => t.data()),
        );
        return { losses: Float32Array.from(losses), weights, slots, dispatchesPerStep };
      } finally {
        useBackend(previous);
      }
    };
    const [fused, unfused] = [await run(true), await run(false)];
    expectClose('losses', [fused.losses], [unfused.losses], 1e-6, 1e-6);
    expectClose('weights', fused.weights, unfused.weights, 1e-6, 1e-6);
    expectClose('slots', fused.slots, unfused.slots, 1e-6, 1e-6);
    expect(fused.slots.length).toBeGreaterThan(0);
    expect(fused.dispatchesPerStep).toBeLessThan(unfused.dispatchesPerStep);
  });

  it("runs each weight's Adam update as one pass, with the eager path's results", async () => {
    const rows = 12;
    const x = randn([rows, 5]);
    const y = Float32Array.from({ length: rows * 3 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0));
    const previous = useBackend(gpu);
    try {
      const build = () => {
        const model = new Sequential({
          seed: 4,
          layers: [new Dense({ units: 6, activation: 'tanh', inputShape: [5] }), new Dense({ units: 3 })],
        });
        model.compile({ optimizer: new AdamW({ learningRate: 0.02, weightDecay: 0.1 }), loss: 'mse' });
        return model;
      };
      const planned = build();
      const trainer = new PlannedTrainer(gpu, planned, planned.compiled!, 0, false, [5], [3]);
      trainer.load();
      const batch = { x: x.values, y, w: null, rows };
      await trainer.issue(batch);
      const { kernels } = await trainer.profile(batch);
      await trainer.issue(batch);
      trainer.store();
      trainer.destroy();
      const adam = kernels.find((k) => k.op === 'adamUpdate');
      expect(adam?.dispatches).toBe(planned.trainableVariables.length);
      // The same three steps eagerly (one adamUpdate dispatch per weight).
      const eager = build();
      await eager.fit(tensor(x.values, [rows, 5]), tensor(y, [rows, 3]), {
        batchSize: rows,
        epochs: 3,
        shuffle: false,
        executor: 'eager',
      });
      const a = await Promise.all(planned.variables.map((v) => v.value.data()));
      const b = await Promise.all(eager.variables.map((v) => v.value.data()));
      expectClose('weights after three steps, planned vs eager', a, b, 1e-5, 1e-3);
    } finally {
      useBackend(previous);
    }
  });
});
