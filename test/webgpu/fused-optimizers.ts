/**
 * Fused against unfused optimizer updates, shared by the CPU (test/nn/optimizers-fused.test.ts) and
 * WebGPU (optimizer.test.ts) suites: the same optimizer config with `fused` true and false, the
 * same weights and gradients for several steps, weights and every slot compared after each step.
 */
import { expect } from 'vitest';
import type { Backend } from '../../src/graph/backend';
import { tensor, withBackend } from '../../src/graph/engine';
import { Random } from '../../src/graph/random';
import type { Tensor } from '../../src/graph/tensor';
import { type Optimizer, optimizerFromConfig, type Trainable } from '../../src/nn/optimizers';
import { maxRelativeError } from './harness';

export const FUSED_CASES: [string, { className: string; config: Record<string, unknown> }][] = [
  ['SGD', { className: 'SGD', config: { learningRate: 0.1 } }],
  [
    'SGD, momentum, step schedule',
    {
      className: 'SGD',
      config: {
        momentum: 0.9,
        learningRate: { type: 'step', initialLearningRate: 0.1, stepSize: 2, gamma: 0.5 },
      },
    },
  ],
  ['SGD, Nesterov, clipNorm', { className: 'SGD', config: { momentum: 0.8, nesterov: true, clipNorm: 0.5 } }],
  [
    'Adam, exponential schedule',
    {
      className: 'Adam',
      config: {
        learningRate: { type: 'exponential', initialLearningRate: 0.01, decaySteps: 2, decayRate: 0.7 },
      },
    },
  ],
  [
    'Adam, beta and epsilon, clipValue',
    {
      className: 'Adam',
      config: { beta1: 0.5, beta2: 0.9, epsilon: 1e-3, clipValue: 0.7 },
    },
  ],
  [
    'AdamW, cosine schedule',
    {
      className: 'AdamW',
      config: {
        weightDecay: 0.05,
        learningRate: { type: 'cosine', initialLearningRate: 0.02, decaySteps: 4, alpha: 0.1 },
      },
    },
  ],
  ['AdamW, no decay', { className: 'AdamW', config: { weightDecay: 0 } }],
  ['RMSprop', { className: 'RMSprop', config: { learningRate: 0.01 } }],
  [
    'RMSprop, centred, momentum, clipNorm',
    {
      className: 'RMSprop',
      config: { rho: 0.8, momentum: 0.9, centered: true, epsilon: 1e-3, clipNorm: 0.5 },
    },
  ],
  ['RMSprop, momentum', { className: 'RMSprop', config: { momentum: 0.5, learningRate: 0.02 } }],
];

const SHAPES = [[1], [7], [33], [257], [16, 9]];

/** Steps both optimizers on one backend; returns the largest relative difference seen. */
export async function fusedVsUnfused(
  backend: Backend,
  spec: { className: string; config: Record<string, unknown> },
  seed: number,
  steps = 5,
): Promise<number> {
  const rng = new Random(seed);
  const draw = (shape: number[]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return Float32Array.from({ length: n }, () => rng.normal());
  };
  const initial = SHAPES.map(draw);
  const grads = Array.from({ length: steps }, () => SHAPES.map(draw));
  const make = (fused: boolean) =>
    optimizerFromConfig({ className: spec.className, config: { ...spec.config, fused } });
  const [fused, unfused] = [make(true), make(false)];
  const vars = (): Trainable[] =>
    withBackend(backend, () =>
      SHAPES.map((s, k) => ({ name: `layer_${k}.kernel`, value: tensor(initial[k], s) })),
    );
  const [a, b] = [vars(), vars()];
  let worst = 0;
  for (let step = 0; step < steps; step++) {
    withBackend(backend, () => {
      const g = grads[step].map((values, k) => tensor(values, SHAPES[k]));
      fused.applyGradients(a, g);
      unfused.applyGradients(b, g);
    });
    worst = Math.max(worst, await compare(`${spec.className} step ${step}`, fused, unfused, a, b));
  }
  expect(fused.iterations).toBe(steps);
  return worst;
}

async function compare(
  label: string,
  fused: Optimizer,
  unfused: Optimizer,
  a: readonly Trainable[],
  b: readonly Trainable[],
): Promise<number> {
  const pairs: [string, Tensor, Tensor][] = a.map((v, k) => [v.name, v.value, b[k].value]);
  const slotsA = fused.getState().slots;
  const slotsB = unfused.getState().slots;
  expect([...slotsA.keys()].sort(), `${label} slot names`).toEqual([...slotsB.keys()].sort());
  for (const [key, t] of slotsA) pairs.push([key, t, slotsB.get(key) as Tensor]);
  let worst = 0;
  for (const [name, x, y] of pairs) {
    const err = maxRelativeError(await x.data(), await y.data(), 1e-6);
    expect(err, `${label} ${name}`).toBeLessThan(1e-6);
    worst = Math.max(worst, err);
  }
  return worst;
}
