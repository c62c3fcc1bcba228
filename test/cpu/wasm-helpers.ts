// Helpers shared by the CPU backend's WebAssembly kernel tests (test/cpu/wasm-*.test.ts): fresh
// seeded inputs, operands in the kernel memory, and the comparisons against the TypeScript twins.
import { expect } from 'vitest';
import { cpuKernels } from '../../src/backend/cpu/kernels';
import { wasmCall } from '../../src/backend/cpu/kernels/wasm-calls';
import type { CpuTensor } from '../../src/backend/cpu/types';
import { useWasmKernels } from '../../src/backend/cpu/wasm/modules';
import { kernelRuntime, type Region } from '../../src/backend/cpu/wasm/runtime';
import type { OpName, OpParams } from '../../src/graph/op-params';
import { Random } from '../../src/graph/random';
import { type Shape, sizeOf } from '../../src/graph/shape';
import { CpuBackend, type Sequential, tensor, withBackend } from '../../src/index';

/** A fresh seed per run (each suite names it, so a failure can be replayed) and uniform inputs from it. */
export function freshInputs() {
  const seed = (Date.now() ^ (Math.random() * 2 ** 31)) >>> 0;
  const rng = new Random(seed);
  /** `size` floats uniform in (-scale, scale). */
  const random = (size: number, scale = 1) =>
    Float32Array.from({ length: size }, () => (rng.uniform() * 2 - 1) * scale);
  return { seed, rng, random };
}

/**
 * Copies of arrays in the kernel memory, as a compiled step's operands live there; `releaseAll`
 * (for afterEach) gives their regions back. Every region of one call is allocated before any view
 * is made: a growth of the memory would detach earlier views. `both` runs a one-output op through
 * its WebAssembly call (operands in the kernel memory) and through the TypeScript twin.
 */
export function kernelOperands() {
  const runtime = kernelRuntime()!;
  let held: Region[] = [];
  const inMemory = (arrays: readonly Float32Array[]): Float32Array[] => {
    const regions = arrays.map((a) => runtime.alloc(a.length * 4)!);
    held.push(...regions);
    return arrays.map((a, j) => {
      const view = runtime.f32(regions[j].offset, a.length);
      view.set(a);
      return view;
    });
  };
  const releaseAll = () => {
    for (const r of held) runtime.release(r);
    held = [];
  };
  const both = <K extends OpName>(
    op: K,
    inputs: readonly [Float32Array, Shape][],
    outShapes: readonly Shape[],
    params: OpParams[K],
    twinParams: (k: number) => OpParams[K] = () => params,
  ) => {
    // Poisoned: an element the module forgets stays NaN.
    const poisoned = outShapes.map((s) => new Float32Array(sizeOf(s)).fill(Number.NaN));
    const views = inMemory([...inputs.map(([a]) => a), ...poisoned]);
    const ins: CpuTensor[] = inputs.map(([, shape], j) => ({ data: views[j], shape }));
    const outs: CpuTensor[] = outShapes.map((shape, k) => ({ data: views[inputs.length + k], shape }));
    const call = wasmCall(runtime, op, ins, outs, params);
    expect(call, `a WebAssembly call for ${op}`).not.toBeNull();
    call!(params);
    const twin = outShapes.map((shape, k) => {
      const out = { data: new Float32Array(sizeOf(shape)), shape };
      const heap = inputs.map(([a, s]) => ({ data: a.slice(), shape: s }));
      (cpuKernels[op] as (i: CpuTensor[], o: CpuTensor, p: OpParams[K]) => void)(heap, out, twinParams(k));
      return out.data;
    });
    return { wasm: outs.map((o) => Float32Array.from(o.data)), twin };
  };
  return { runtime, inMemory, releaseAll, both };
}

/** Bit-equal (-0 is not 0), with any NaN matching any NaN (payloads may differ between engines). */
export function expectSameBits(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  const [a, e] = [
    new Uint32Array(actual.buffer, actual.byteOffset, actual.length),
    new Uint32Array(expected.buffer, expected.byteOffset, expected.length),
  ];
  for (let i = 0; i < e.length; i++) {
    if (Number.isNaN(expected[i])) expect(actual[i], `element ${i}`).toBeNaN();
    else if (a[i] !== e[i]) expect(actual[i], `element ${i}`).toBe(expected[i]);
  }
}

/** The first index where the bits differ, or -1 (toEqual walks big arrays far more slowly). */
export function firstDifference(x: Float32Array, y: Float32Array): number {
  const [u, v] = [
    new Uint32Array(x.buffer, x.byteOffset, x.length),
    new Uint32Array(y.buffer, y.byteOffset, y.length),
  ];
  if (u.length !== v.length) return Math.min(u.length, v.length);
  for (let i = 0; i < u.length; i++) if (u[i] !== v[i]) return i;
  return -1;
}

/** `a` with NaN, +Infinity and -Infinity in its first three elements (where it has them). */
export function withSpecials(a: Float32Array): Float32Array {
  if (a.length >= 3) [a[0], a[1], a[2]] = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  return a;
}

/** Normwise relative error max|a - e| / max|e| (a NaN where the expected value is not counts as infinite). */
export function normwise(actual: Float32Array, expected: Float32Array): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    const same = Object.is(actual[i], expected[i]);
    worst = Number.isNaN(d) && !same ? Number.POSITIVE_INFINITY : Math.max(worst, same ? 0 : d);
    if (Number.isFinite(expected[i])) scale = Math.max(scale, Math.abs(expected[i]));
  }
  return worst / Math.max(scale, 1e-30);
}

/**
 * A seeded fit of the model `build` makes (compiled) on the float32 CPU backend, batches of 16 in
 * order, with the WebAssembly kernels on and then off: the same losses and weights within 1e-5.
 */
export async function expectSameFitWithAndWithoutWasm(
  build: () => Sequential,
  [x, xShape]: [number[], Shape],
  [y, yShape]: [number[], Shape],
  epochs: number,
): Promise<void> {
  const cpu = new CpuBackend('float32');
  const train = async (wasm: boolean) => {
    useWasmKernels(wasm);
    try {
      return await withBackend(cpu, async () => {
        const model = build();
        const h = await model.fit(tensor(x, xShape), tensor(y, yShape), {
          batchSize: 16,
          epochs,
          shuffle: false,
        });
        const weights = await Promise.all(model.variables.map((v) => v.value.data()));
        return { loss: h.history.loss, weights };
      });
    } finally {
      useWasmKernels(true);
    }
  };
  const withWasm = await train(true);
  const without = await train(false);
  expect(withWasm.loss.length).toBe(epochs);
  withWasm.loss.forEach((l, e) => {
    expect(Math.abs(l - without.loss[e]), `epoch ${e}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(l)));
  });
  withWasm.weights.forEach((w, j) => {
    for (let i = 0; i < w.length; i++)
      expect(Math.abs(w[i] - without.weights[j][i]), `weight ${j}[${i}]`).toBeLessThan(1e-5);
  });
}
