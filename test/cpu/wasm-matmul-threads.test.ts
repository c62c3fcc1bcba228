// The threaded WebAssembly matmul (src/backend/cpu/threads/) in Node's worker_threads: against the
// TypeScript twin on fresh random inputs for every transpose pair, odd shapes and 1 to 4 threads,
// bit for bit against one thread, the cut of C into parts, the spinning join of a browser's main
// thread, a trapping kernel in a worker, and the one-thread fallback where SharedArrayBuffer is missing.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import { type MatmulDims, matmulInto } from '../../src/backend/cpu/kernels/matmul';
import { matmulWasm, matmulWasmOneThread } from '../../src/backend/cpu/kernels/matmul-simd';
import {
  cpuThreadsInfo,
  cpuThreadsReady,
  MIN_MACS_PER_THREAD,
  shares,
  threadedMatmul,
} from '../../src/backend/cpu/kernels/matmul-threaded';
import { setCpuThreads } from '../../src/backend/cpu/threads/config';
import { InvalidArgumentError } from '../../src/errors';
import { firstDifference, freshInputs, normwise } from './wasm-helpers';

const { seed, rng, random } = freshInputs();

/** C through the WebAssembly path (poisoned first: an element no thread writes stays NaN). */
function viaWasm(a: Float32Array, b: Float32Array, dims: MatmulDims): Float32Array {
  const c = new Float32Array(dims.m * dims.n).fill(Number.NaN);
  expect(matmulWasm(a, b, c, dims)).toBe(true);
  return c;
}

afterEach(() => vi.unstubAllGlobals());
afterAll(() => setCpuThreads('auto'));

// Each large enough to be cut: columns (n >= m), rows (m > n), past the k, m and n blocks.
const shapes = [
  [67, 129, 65],
  [300, 21, 190],
  [13, 1030, 40],
  [261, 1033, 37],
  [129, 77, 600],
];

describe(`threaded WebAssembly matmul (seed ${seed})`, () => {
  for (const threads of [1, 2, 3, 4]) {
    it(`agrees with the TypeScript twin on ${threads} thread(s), every layout, and with one thread bit for bit`, async () => {
      setCpuThreads(threads);
      const info = await cpuThreadsReady();
      expect(info).toMatchObject({ threads, requested: threads });
      const splitBefore = info.splitProducts;
      for (const [m, n, k] of shapes) {
        for (const transposeA of [false, true]) {
          for (const transposeB of [false, true]) {
            const dims = { m, n, k, transposeA, transposeB };
            const [a, b] = [random(m * k), random(k * n)];
            const reference = new Float32Array(m * n);
            matmulInto(a, b, reference, dims);
            const threaded = viaWasm(a, b, dims);
            expect(
              normwise(threaded, reference),
              `${m}x${k} * ${k}x${n} ${transposeA} ${transposeB}`,
            ).toBeLessThan(1e-5);
            if (threads > 1) expect(firstDifference(threaded, oneThread(a, b, dims, threads))).toBe(-1);
          }
        }
      }
      const split = cpuThreadsInfo().splitProducts - splitBefore;
      expect(split).toBe(threads > 1 ? shapes.length * 4 : 0);
    });
  }

  it('cuts C into disjoint parts that cover it, on register-block edges', () => {
    for (let trial = 0; trial < 200; trial++) {
      const m = 1 + Math.floor(rng.uniform() * 300);
      const n = 1 + Math.floor(rng.uniform() * 300);
      const parts = 1 + Math.floor(rng.uniform() * 8);
      const cut = shares({ m, n }, parts);
      expect(cut.length).toBeGreaterThanOrEqual(1);
      expect(cut.length).toBeLessThanOrEqual(parts);
      const covered = new Uint8Array(m * n);
      for (const [i0, i1, j0, j1] of cut) {
        expect(i0 % 4 === 0 && j0 % 8 === 0 && i1 > i0 && j1 > j0).toBe(true);
        for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) covered[i * n + j]++;
      }
      expect(covered.every((v) => v === 1)).toBe(true);
    }
  });

  it('keeps small products on one thread', async () => {
    setCpuThreads(2);
    await cpuThreadsReady();
    const before = cpuThreadsInfo().splitProducts;
    const [m, n, k] = [32, 32, Math.floor(MIN_MACS_PER_THREAD / 1024) - 1];
    viaWasm(random(m * k), random(k * n), { m, n, k, transposeA: false, transposeB: false });
    expect(cpuThreadsInfo().splitProducts).toBe(before);
  });

  it('joins by spinning where the thread may not wait (a browser main thread), with the same result', async () => {
    vi.stubGlobal('window', {});
    setCpuThreads(2);
    expect((await cpuThreadsReady()).threads).toBe(2);
    const dims = { m: 70, n: 130, k: 90, transposeA: true, transposeB: false };
    const [a, b] = [random(70 * 90), random(90 * 130)];
    const before = cpuThreadsInfo().splitProducts;
    const spun = viaWasm(a, b, dims);
    expect(cpuThreadsInfo().splitProducts).toBe(before + 1);
    vi.unstubAllGlobals();
    expect(firstDifference(spun, oneThread(a, b, dims, 2))).toBe(-1);
  });

  it("reports a kernel that traps in a worker as the caller's BackendError, and the pool goes on", async () => {
    setCpuThreads(2);
    await cpuThreadsReady();
    const pool = threadedMatmul()?.pool;
    if (!pool) throw new Error('no pool');
    const [slot] = pool.readySlots();
    // A read far past the memory's end: C at 0, A at 4 GiB - 64 KiB.
    pool.start(slot, 0, [2 ** 32 - 65_536, 0, 0, 64, 64, 64, 0, 0, 64, 0, 64, 64]);
    expect(() => pool.join(slot)).toThrow(/kernel worker 1: the WebAssembly kernel trapped/);
    const dims = { m: 80, n: 80, k: 80, transposeA: false, transposeB: true };
    const [a, b] = [random(6400), random(6400)];
    const reference = new Float32Array(6400);
    matmulInto(a, b, reference, dims);
    expect(normwise(viaWasm(a, b, dims), reference)).toBeLessThan(1e-5);
  });

  it('runs on one thread, with the reason, where SharedArrayBuffer is missing', async () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    setCpuThreads(4);
    const info = await cpuThreadsReady();
    expect(info).toMatchObject({ threads: 1, requested: 4, splitProducts: 0 });
    expect(info.reason).toMatch(/no SharedArrayBuffer: the page is not cross-origin isolated/);
    expect(new CpuBackend('float32').description).toMatch(/on 1 thread \(no SharedArrayBuffer/);
    const dims = { m: 100, n: 90, k: 120, transposeA: false, transposeB: false };
    const [a, b] = [random(12_000), random(10_800)];
    const reference = new Float32Array(9000);
    matmulInto(a, b, reference, dims);
    expect(normwise(viaWasm(a, b, dims), reference)).toBeLessThan(1e-5);
    expect(threadedMatmul()).toBeNull();
  });

  it('says its thread count in the backend description, and refuses a bad count', async () => {
    setCpuThreads(3);
    await cpuThreadsReady();
    expect(new CpuBackend('float32').description).toBe('CPU (float32), WebAssembly SIMD on 3 threads');
    expect(new CpuBackend('float64').description).toBe('CPU (float64)');
    expect(() => setCpuThreads(0)).toThrow(InvalidArgumentError);
    expect(() => setCpuThreads(2.5)).toThrow(/expected 'auto' or a whole number of threads from 1 to 64/);
  });
});

/** The same product through the one-thread path (its own plain memory; the pool stays as it is). */
function oneThread(a: Float32Array, b: Float32Array, dims: MatmulDims, threads: number): Float32Array {
  expect(threadedMatmul()?.pool.readyWorkers()).toBe(threads - 1);
  const single = new Float32Array(dims.m * dims.n).fill(Number.NaN);
  expect(matmulWasmOneThread(a, b, single, dims)).toBe(true);
  return single;
}
