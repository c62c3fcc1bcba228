/**
 * Gradient checks of the fused optimizer updates: each part is an elementwise map of (w, g, m, v)
 * and the step scalars, so every input, scalars included, gets a checked gradient.
 */
import { describe, it } from 'vitest';
import { adamUpdate, rmspropUpdate, sgdUpdate } from '../../../src/graph/ops';
import type { Tensor } from '../../../src/graph/tensor';
import { checkGradients, Draw, nextSeed } from '../gradcheck';

const shape = [3, 4];

export function optimizerGradientCases(): void {
  describe('adamUpdate', () => {
    const configs = [
      { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
      { beta1: 0.5, beta2: 0.8, epsilon: 0.1 },
    ];
    for (const part of ['m', 'v', 'w'] as const) {
      it.each(configs)(`part ${part}, %j`, (config) => {
        const d = new Draw(nextSeed());
        checkGradients(
          (w: Tensor, g: Tensor, m: Tensor, v: Tensor, alpha: Tensor, decay: Tensor) =>
            adamUpdate(w, g, m, v, alpha, decay, { part, ...config }),
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
    for (const part of ['velocity', 'w'] as const) {
      it.each(configs)(`part ${part}, %j`, (config) => {
        const d = new Draw(nextSeed());
        checkGradients(
          (w: Tensor, g: Tensor, velocity: Tensor, lr: Tensor) =>
            sgdUpdate(w, g, velocity, lr, { part, ...config }),
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
      ] as const;
      it.each(parts)(`part %s, ${JSON.stringify(config)}`, (part) => {
        const d = new Draw(nextSeed());
        checkGradients(
          (w: Tensor, g: Tensor, v: Tensor, a: Tensor, m: Tensor, lr: Tensor) =>
            rmspropUpdate(w, g, v, a, m, lr, { part: part as 'w', ...config }),
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
