/**
 * Gradient checks of the fused optimizer updates: each output is an elementwise map of (w, g, m,
 * v) and the step scalars, so every input, scalars included, gets a checked gradient through each
 * output, and through a sum of all of them (the backward of a node with several outputs).
 */
import { describe, it } from 'vitest';
import { adamUpdate, add, mul, rmspropUpdate, sgdUpdate } from '../../../src/graph/ops';
import type { Tensor } from '../../../src/graph/tensor';
import { checkGradients, Draw, nextSeed } from '../gradcheck';

const shape = [3, 4];

/** One named output, or 'all': their sum with distinct weights, so each output's gradient counts. */
function pick(outputs: object, name: string): Tensor {
  const named = Object.entries(outputs).filter((e): e is [string, Tensor] => e[1] !== undefined);
  if (name !== 'all') return named.find(([k]) => k === name)![1];
  return named.map(([, t], k) => mul(t, k + 1)).reduce((a, b) => add(a, b));
}

export function optimizerGradientCases(): void {
  describe('adamUpdate', () => {
    const configs = [
      { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
      { beta1: 0.5, beta2: 0.8, epsilon: 0.1 },
    ];
    for (const part of ['m', 'v', 'w', 'all'] as const) {
      it.each(configs)(`output ${part}, %j`, (config) => {
        const d = new Draw(nextSeed());
        checkGradients(
          (w: Tensor, g: Tensor, m: Tensor, v: Tensor, alpha: Tensor, decay: Tensor) =>
            pick(adamUpdate(w, g, m, v, alpha, decay, config), part),
          [
            d.uniform(shape, -2, 2),
            d.uniform(shape, -2, 2),
            d.uniform(shape, -1, 1),
            // v stays a second moment, positive, so sqrt(v') is smooth.
            d.uniform(shape, 0.2, 2),
            d.uniform([], 0.1, 0.5),
            d.uniform([], 0, 0.1),
          ],
          { seed: d.seed },
        );
      });
    }
  });

  describe('sgdUpdate', () => {
    const configs = [
      { momentum: 0.9, nesterov: false },
      { momentum: 0.7, nesterov: true },
      { momentum: 0, nesterov: false },
      { momentum: 0, nesterov: true },
    ];
    for (const part of ['velocity', 'w', 'all'] as const) {
      const cases = configs.filter((c) => part !== 'velocity' || c.momentum !== 0);
      it.each(cases)(`output ${part}, %j`, (config) => {
        const d = new Draw(nextSeed());
        checkGradients(
          (w: Tensor, g: Tensor, velocity: Tensor, lr: Tensor) =>
            pick(sgdUpdate(w, g, velocity, lr, config), part),
          [
            d.uniform(shape, -2, 2),
            d.uniform(shape, -2, 2),
            d.uniform(shape, -1, 1),
            d.uniform([], 0.01, 0.5),
          ],
          { seed: d.seed },
        );
      });
    }
  });

  describe('rmspropUpdate', () => {
    const configs = [
      { rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false },
      { rho: 0.8, momentum: 0.9, epsilon: 0.1, centered: true },
      { rho: 0.5, momentum: 0.5, epsilon: 1e-3, centered: false },
    ];
    for (const config of configs) {
      const parts = [
        'velocity',
        ...(config.centered ? ['average'] : []),
        ...(config.momentum ? ['momentum'] : []),
        'w',
        'all',
      ];
      it.each(parts)(`output %s, ${JSON.stringify(config)}`, (part) => {
        const d = new Draw(nextSeed());
        checkGradients(
          (w: Tensor, g: Tensor, v: Tensor, a: Tensor, m: Tensor, lr: Tensor) =>
            pick(rmspropUpdate(w, g, v, a, m, lr, config), part),
          [
            d.uniform(shape, -2, 2),
            d.uniform(shape, -2, 2),
            // A second moment, and an average gradient small enough that v' + eps - a'^2 > 0.
            d.uniform(shape, 0.5, 2),
            d.uniform(shape, -0.3, 0.3),
            d.uniform(shape, -1, 1),
            d.uniform([], 0.01, 0.5),
          ],
          { seed: d.seed },
        );
      });
    }
  });
}
