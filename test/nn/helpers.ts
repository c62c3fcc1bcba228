/** Shared test helpers: seeded data, float64 finite differences, value comparison. */
import { expect } from 'vitest';
import { CpuBackend, Random, type Tensor, tensor, valueAndGrad, withBackend } from '../../src/index';

export const f64 = new CpuBackend('float64');

/** A tensor of standard normal values from a seed. */
export function randomTensor(shape: number[], seed: number, scale = 1): Tensor {
  const rng = new Random(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    Array.from({ length: n }, () => rng.normal() * scale),
    shape,
  );
}

/**
 * The values at full precision: dataSync() always returns float32, which would drown a finite
 * difference in rounding, so on the float64 backend this reads the backend's own array.
 */
export function values64(t: Tensor): Float64Array {
  const storage = t.storage;
  return storage instanceof Float64Array ? Float64Array.from(storage) : Float64Array.from(t.dataSync());
}

/**
 * Checks valueAndGrad(f) against central finite differences at `inputs`, on the float64 CPU
 * backend (the caller runs inside withBackend(f64, ...)). Every element of every input is probed.
 */
export function checkGradients(
  f: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  tolerance = 1e-6,
  eps = 1e-5,
): void {
  const { grads } = valueAndGrad(f)(...inputs);
  inputs.forEach((x, k) => {
    const base = values64(x);
    const analytic = values64(grads[k]);
    for (let i = 0; i < base.length; i++) {
      const probe = (delta: number) => {
        const values = Float64Array.from(base);
        values[i] += delta;
        const shifted = inputs.map((t, j) => (j === k ? tensor(values, x.shape) : t));
        return values64(f(...shifted))[0];
      };
      const numeric = (probe(eps) - probe(-eps)) / (2 * eps);
      const scale = Math.max(1, Math.abs(numeric));
      expect(
        Math.abs(analytic[i] - numeric) / scale,
        `input ${k} element ${i}: ${analytic[i]} vs ${numeric}`,
      ).toBeLessThan(tolerance);
    }
  });
}

/** Runs `fn` on the float64 CPU backend. */
export function inFloat64<T>(fn: () => T): T {
  return withBackend(f64, fn);
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    expect(
      Math.abs(actual[i] - expected[i]) / scale,
      `element ${i}: ${actual[i]} vs ${expected[i]}`,
    ).toBeLessThanOrEqual(tolerance);
  }
}

/** Two Gaussian blobs in 2-D: class 0 around (-1.5, -1.5), class 1 around (1.5, 1.5). */
export function blobs(n: number, seed: number): { x: number[][]; y: number[] } {
  const rng = new Random(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const centre = c === 0 ? -1.5 : 1.5;
    x.push([centre + rng.normal(), centre + rng.normal()]);
    y.push(c);
  }
  return { x, y };
}

/** A float32 CPU backend that lists the ops it runs, in order: which kernels a path takes. */
export function recordingCpu(): { backend: CpuBackend; ran: string[] } {
  const backend = new CpuBackend('float32');
  const ran: string[] = [];
  const run = backend.run.bind(backend);
  backend.run = (op, inputs, shape, params) => {
    ran.push(op);
    return run(op, inputs, shape, params);
  };
  return { backend, ran };
}
