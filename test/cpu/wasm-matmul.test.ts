// The CPU backend's WebAssembly SIMD matmul (src/backend/cpu/kernels/matmul-simd.ts), in its relaxed
// and plain SIMD builds, against its TypeScript twin on fresh random inputs (odd shapes, every
// transpose pair, shapes that cross the k, m and n blocks and the 4 x 8 register block's edges),
// against exact closed forms, in place in the kernel memory, and through the backend's op.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import { type MatmulDims, matmulInto } from '../../src/backend/cpu/kernels/matmul';
import {
  matmulWasm,
  matmulWasmOneThread,
  wasmMatmulAvailable,
} from '../../src/backend/cpu/kernels/matmul-simd';
import { hasRelaxedSimd } from '../../src/backend/cpu/wasm/features';
import { relaxedSimdInUse, useRelaxedSimd, useWasmKernels } from '../../src/backend/cpu/wasm/modules';
import { kernelRuntime } from '../../src/backend/cpu/wasm/runtime';
import { tensor, withBackend } from '../../src/graph/engine';
import { matmul } from '../../src/graph/ops/index';
import { freshInputs, normwise } from './wasm-helpers';

const { seed, random } = freshInputs();

function both(a: Float32Array, b: Float32Array, dims: MatmulDims) {
  const reference = new Float32Array(dims.m * dims.n);
  matmulInto(a, b, reference, dims);
  // Poisoned: an element the module forgets stays NaN.
  const simd = new Float32Array(dims.m * dims.n).fill(Number.NaN);
  expect(matmulWasm(a, b, simd, dims)).toBe(true);
  return { reference, simd };
}

afterEach(() => {
  useWasmKernels(true);
  useRelaxedSimd(true);
});

describe(`WebAssembly SIMD matmul (seed ${seed})`, () => {
  it('runs here, in both builds (Node has WebAssembly SIMD; vitest.config.ts turns relaxed SIMD on)', () => {
    expect(wasmMatmulAvailable()).toBe(true);
    expect(hasRelaxedSimd()).toBe(true);
  });

  const shapes = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 8, 16],
    [9, 17, 5],
    [67, 129, 33],
    // k past one 256-deep block (accumulation into C), m past one 256-row block, n past 1024 columns.
    [37, 45, 600],
    [300, 21, 19],
    [13, 1030, 11],
  ];
  for (const build of ['relaxed', 'plain'] as const) {
    describe(`${build} SIMD`, () => {
      beforeEach(() => useRelaxedSimd(build === 'relaxed'));
      it('loads that build', () => {
        expect(relaxedSimdInUse()).toBe(build === 'relaxed');
      });
      for (const [m, n, k] of shapes) {
        for (const transposeA of [false, true]) {
          for (const transposeB of [false, true]) {
            it(`agrees with the TypeScript twin: ${m}x${k} * ${k}x${n}${transposeA ? ' A^T' : ''}${transposeB ? ' B^T' : ''}`, () => {
              const dims = { m, n, k, transposeA, transposeB };
              const { reference, simd } = both(random(m * k), random(k * n), dims);
              expect(normwise(simd, reference)).toBeLessThan(1e-5);
            });
          }
        }
      }

      it('gives exact products where float32 sums are exact: A[i,p] = i + 1, B[p,j] = j + 1', () => {
        const [m, n, k] = [19, 23, 300];
        const a = Float32Array.from({ length: m * k }, (_, e) => Math.floor(e / k) + 1);
        const b = Float32Array.from({ length: k * n }, (_, e) => (e % n) + 1);
        const c = new Float32Array(m * n).fill(Number.NaN);
        expect(matmulWasm(a, b, c, { m, n, k, transposeA: false, transposeB: false })).toBe(true);
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) expect(c[i * n + j]).toBe((i + 1) * (j + 1) * k);
      });

      it('keeps 0 * Infinity = NaN and Infinity where the twin has them', () => {
        const [m, n, k] = [6, 10, 5];
        const a = random(m * k);
        const b = random(k * n);
        a[2 * k + 1] = Number.POSITIVE_INFINITY; // row 2 meets B's row 1
        b.fill(0, 1 * n, 2 * n); // ... which is all zeros: 0 * Infinity in every column of row 2
        const { reference, simd } = both(a, b, { m, n, k, transposeA: false, transposeB: false });
        for (let j = 0; j < n; j++) expect(simd[2 * n + j]).toBeNaN();
        expect(Array.from(simd).map(Number.isNaN)).toEqual(Array.from(reference).map(Number.isNaN));
      });
    });
  }

  it('works in place on operands in the kernel memory, leaving the memory around C untouched', () => {
    const runtime = kernelRuntime()!;
    const [m, n, k] = [21, 35, 300];
    const dims = { m, n, k, transposeA: true, transposeB: false };
    const [a, b] = [random(m * k), random(k * n)];
    const regions = [
      runtime.alloc(a.length * 4)!,
      runtime.alloc(b.length * 4)!,
      runtime.alloc((m * n + 16) * 4)!,
    ];
    const [inA, inB] = [runtime.f32(regions[0].offset, a.length), runtime.f32(regions[1].offset, b.length)];
    inA.set(a);
    inB.set(b);
    // C sits 8 floats into its region, between guards that must keep their values.
    const around = runtime.f32(regions[2].offset, m * n + 16).fill(7);
    const inC = around.subarray(8, 8 + m * n);
    const used = runtime.usage.used;
    expect(matmulWasm(inA, inB, inC, dims)).toBe(true);
    expect(runtime.usage.used).toBe(used); // no staging region
    const reference = new Float32Array(m * n);
    matmulInto(a, b, reference, dims);
    expect(normwise(inC, reference)).toBeLessThan(1e-5);
    expect([...around.subarray(0, 8), ...around.subarray(8 + m * n)]).toEqual(new Array(16).fill(7));
    for (const r of regions) runtime.release(r);
  });

  it('remakes operand views in the kernel memory when staging C grows the memory', () => {
    const runtime = kernelRuntime()!;
    const [m, n, k] = [300, 257, 9];
    const dims = { m, n, k, transposeA: false, transposeB: false };
    const [a, b] = [random(m * k), random(k * n)];
    const ra = runtime.alloc(a.length * 4)!;
    const inA = runtime.f32(ra.offset, a.length);
    inA.set(a);
    // Fill the memory so that C's staging region must grow it.
    const filler = runtime.alloc(runtime.usage.capacity - runtime.usage.highWater)!;
    const generation = runtime.generation;
    const c = new Float32Array(m * n);
    // This thread's path: one this large would go to the worker threads' own memory otherwise.
    expect(matmulWasmOneThread(inA, b, c, dims)).toBe(true);
    expect(runtime.generation).toBeGreaterThan(generation);
    const reference = new Float32Array(m * n);
    matmulInto(a, b, reference, dims);
    expect(normwise(c, reference)).toBeLessThan(1e-5);
    runtime.release(filler);
    runtime.release(ra);
  });

  it('is what the float32 CPU backend runs, and switching it off gives the twin within rounding', async () => {
    const cpu = new CpuBackend('float32');
    const [m, n, k] = [40, 24, 70];
    const [a, b] = [random(m * k), random(k * n)];
    const product = () => withBackend(cpu, () => matmul(tensor(a, [m, k]), tensor(b, [k, n])).data());
    const viaSimd = await product();
    useWasmKernels(false);
    const viaTypeScript = await product();
    const twin = new Float32Array(m * n);
    matmulInto(a, b, twin, { m, n, k, transposeA: false, transposeB: false });
    expect(viaTypeScript).toEqual(twin);
    const simd = new Float32Array(m * n);
    useWasmKernels(true);
    matmulWasm(a, b, simd, { m, n, k, transposeA: false, transposeB: false });
    expect(viaSimd).toEqual(simd);
    expect(normwise(viaSimd, viaTypeScript)).toBeLessThan(1e-5);
  });
});
