/**
 * Shared by the WebGPU kernel tests: a real device (the test fails, with the reason, when none can
 * be had), the CPU reference, fresh random inputs and an error measure.
 */
import { expect } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import { WebGPUBackend, type WebGPUBackendOptions } from '../../src/backend/webgpu/webgpu-backend';
import { tensor, withBackend } from '../../src/graph/engine';
import { Random } from '../../src/graph/random';
import type { Shape } from '../../src/graph/shape';
import { sizeOf } from '../../src/graph/shape';
import type { Tensor } from '../../src/graph/tensor';

export const cpu = new CpuBackend('float32');

/** Outputs are poisoned with NaN before every kernel, so an element a kernel forgets stays NaN and fails. */
export async function createGpu(options: WebGPUBackendOptions = {}): Promise<WebGPUBackend> {
  return WebGPUBackend.create({ poisonOutputs: true, ...options });
}

/** A fresh seed per run (printed on failure through the label), so every run draws new inputs; KERNEL_SEED replays one. */
export const seed = process.env.KERNEL_SEED
  ? Number(process.env.KERNEL_SEED)
  : (Date.now() ^ (Math.random() * 2 ** 31)) >>> 0;
export const rng = new Random(seed);

export interface Input {
  readonly values: Float32Array;
  readonly shape: Shape;
}

/** Standard-normal values, scaled, optionally kept away from 0 or made positive. */
export function randn(shape: Shape, scale = 1, shift = 0): Input {
  const values = new Float32Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = rng.normal() * scale + shift;
  return { values, shape };
}

export function uniform(shape: Shape, lo: number, hi: number): Input {
  const values = new Float32Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = lo + (hi - lo) * rng.uniform();
  return { values, shape };
}

export function integers(shape: Shape, n: number): Input {
  const values = new Float32Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = rng.int(n);
  return { values, shape };
}

type Outputs = Tensor | readonly Tensor[];

/** Runs `f` on fresh tensors of the same values on the GPU and on the CPU; returns both results. */
export async function onBoth(
  gpu: WebGPUBackend,
  inputs: readonly Input[],
  f: (...xs: Tensor[]) => Outputs,
): Promise<{ gpu: Float32Array[]; cpu: Float32Array[] }> {
  const run = (backend: WebGPUBackend | CpuBackend) =>
    withBackend(backend, () => {
      const out = f(...inputs.map((x) => tensor(x.values, x.shape)));
      return Array.isArray(out) ? (out as readonly Tensor[]) : [out as Tensor];
    });
  const onGpu = run(gpu);
  const onCpu = run(cpu);
  return {
    gpu: await Promise.all(onGpu.map((t) => t.data())),
    cpu: await Promise.all(onCpu.map((t) => t.data())),
  };
}

/**
 * Largest elementwise relative error |a - e| / max(|e|, floor). The floor keeps values near 0
 * (where cancellation makes relative error meaningless) measured against `floor` instead. NaN
 * anywhere in `actual` (an unwritten, poisoned element) counts as an infinite error.
 */
export function maxRelativeError(actual: Float32Array, expected: Float32Array, floor: number): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(a) !== Number.isNaN(e)) return Number.POSITIVE_INFINITY;
    if (Number.isNaN(e) || a === e) continue;
    const err = Math.abs(a - e) / Math.max(Math.abs(e), floor);
    if (!(err <= worst)) worst = err;
  }
  return worst;
}

/** Tolerances: elementwise ops and layout 1e-5; matmul, reductions, softmax and conv 1e-4. */
export const ELEMENTWISE = 1e-5;
export const ACCUMULATING = 1e-4;

export function expectClose(
  label: string,
  actual: readonly Float32Array[],
  expected: readonly Float32Array[],
  tolerance: number,
  floor = 1e-3,
): void {
  expect(actual.length, label).toBe(expected.length);
  actual.forEach((a, k) => {
    expect(a.length, `${label} output ${k} length`).toBe(expected[k].length);
    const err = maxRelativeError(a, expected[k], floor);
    expect(err, `${label} output ${k} (seed ${seed}): max relative error`).toBeLessThan(tolerance);
  });
}
