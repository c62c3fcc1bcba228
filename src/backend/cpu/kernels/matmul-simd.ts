/**
 * The float32 matmul's WebAssembly SIMD path (matmul.wat): the same GotoBLAS/BLIS blocking as the
 * TypeScript kernel (matmul.ts, its twin and the fallback), with op(A) packed in panels
 * of 4 rows and op(B) in panels of 8 columns by the TypeScript packers (which read A and B where
 * they are: in place when they live in the kernel memory), and every 4 x 8 block of C computed in
 * v128 registers by the module. The module works on the CPU backend's one kernel memory
 * (../wasm/): a C that lives there (a compiled step's buffer) is written in place, any other C
 * goes through a staging region and is copied out once. Where threads are allowed, products large
 * enough to cut run on the worker threads instead (matmul-threaded.ts, with the pool in ../threads).
 * Where the engine has no WebAssembly SIMD (or no WebAssembly), `matmulWasm` says so and the
 * caller uses the TypeScript kernel.
 */
import { type KernelModule, kernelModule } from '../wasm/modules';
import type { Region, WasmRuntime } from '../wasm/runtime';
import type { MatmulDims } from './matmul';
import { packA, packB } from './matmul';
import plain from './matmul.wat';
import relaxed from './matmul.wat?relaxed';
import { MIN_MACS_PER_THREAD, threadedMatmul, threadsLine } from './matmul-threaded';

const MR = 4;
const NR = 8;
const KC = 256;
/** A block of packed A (MC x KC floats, 256 KiB) stays in L2 while B's panels stream through L1. */
const MC = 256;
const NC = 1024;
/** The panels' region: the 128-byte scratch tile for edge blocks, packed A, packed B. */
const PACK_A = 128;
const PACK_B = PACK_A + MC * KC * 4;
const PANEL_BYTES = PACK_B + NC * KC * 4;

export interface MatmulExports {
  blocks(
    pa: number,
    pb: number,
    kc: number,
    mc: number,
    nc: number,
    c: number,
    n: number,
    acc: number,
    scratch: number,
  ): void;
}

/** The packing panels, allocated in the kernel memory on first use and kept. */
let panels: Region | null = null;

function panelsIn(runtime: WasmRuntime): Region | null {
  panels ??= runtime.alloc(PANEL_BYTES);
  return panels;
}

/** The smallest product the threaded path cuts in two: smaller ones stay on this thread. */
const THREADS_FROM_MACS = 2 * MIN_MACS_PER_THREAD;

/**
 * Whether the SIMD kernel can run here (and WebAssembly kernels are not switched off). Loads the
 * module and allocates its panels, so that a compiled step that asks before making its views
 * sees no growth of the memory from the matmul's first call.
 */
export function wasmMatmulAvailable(): boolean {
  const wasm = kernelModule<MatmulExports>('matmul', plain, relaxed);
  return wasm !== null && panelsIn(wasm.runtime) !== null;
}

/** The matmul module on the kernel memory (conv-simd.ts feeds its kernel patch panels); null where it cannot run. */
export function matmulModule(): KernelModule<MatmulExports> | null {
  return kernelModule<MatmulExports>('matmul', plain, relaxed);
}

/** The float32 kernels in words (the CPU backend's description): "WebAssembly SIMD on 2 threads". */
export function float32KernelsLine(): string {
  return wasmMatmulAvailable() ? `WebAssembly SIMD ${threadsLine()}` : 'TypeScript kernels';
}

/**
 * `view` if it still is a view of the memory's buffer, else its `length` floats remade at `offset`
 * (a growth detached it, and a detached view's length reads 0, so the length is taken before).
 */
function current(runtime: WasmRuntime, view: Float32Array, offset: number, length: number): Float32Array {
  return offset >= 0 && view.buffer !== runtime.memory.buffer ? runtime.f32(offset, length) : view;
}

/**
 * C = op(A) op(B) for float32 operands through the SIMD module; false (and C untouched) when the
 * module cannot run here or the kernel memory cannot hold C, so the caller runs the TypeScript kernel.
 */
export function matmulWasm(a: Float32Array, b: Float32Array, c: Float32Array, dims: MatmulDims): boolean {
  const { m, n, k } = dims;
  if (!wasmMatmulAvailable()) return false;
  // The first product worth cutting starts the workers, where setBackend('cpu') has not already.
  if (m * n * k >= THREADS_FROM_MACS && threadedMatmul()?.run(a, b, c, dims)) return true;
  return matmulWasmOneThread(a, b, c, dims);
}

/** The same on this thread whatever the thread count (the threaded path's tests compare with it). */
export function matmulWasmOneThread(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  dims: MatmulDims,
): boolean {
  const { m, n, k } = dims;
  const wasm = kernelModule<MatmulExports>('matmul', plain, relaxed);
  if (!wasm) return false;
  const runtime = wasm.runtime;
  // Offsets first: the panels' or a staging region's allocation may grow the memory, which
  // detaches views of it (and a detached view reads as empty); those are remade after.
  const [atA, atB, atC] = [runtime.offsetOf(a), runtime.offsetOf(b), runtime.offsetOf(c)];
  const [lengthA, lengthB] = [a.length, b.length];
  const base = panelsIn(runtime);
  if (!base) return false;
  if (k === 0 || m === 0 || n === 0) {
    current(runtime, c, atC, m * n).fill(0, 0, m * n);
    return true;
  }
  const staging = atC < 0 ? runtime.alloc(m * n * 4) : null;
  if (atC < 0 && !staging) return false;
  const cAt0 = staging ? staging.offset : atC;
  const [opA, opB] = [current(runtime, a, atA, lengthA), current(runtime, b, atB, lengthB)];
  const packedA = runtime.f32(base.offset + PACK_A, MC * KC);
  const packedB = runtime.f32(base.offset + PACK_B, NC * KC);
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = Math.min(KC, k - k0);
    for (let j0 = 0; j0 < n; j0 += NC) {
      const nc = Math.min(NC, n - j0);
      packB(opB, dims, j0, nc, k0, kc, packedB, NR);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = Math.min(MC, m - i0);
        packA(opA, dims, i0, mc, k0, kc, packedA, MR);
        const cAt = cAt0 + (i0 * n + j0) * 4;
        wasm.exports.blocks(
          base.offset + PACK_A,
          base.offset + PACK_B,
          kc,
          mc,
          nc,
          cAt,
          n,
          k0 > 0 ? 1 : 0,
          base.offset,
        );
      }
    }
  }
  if (staging) {
    c.set(runtime.f32(staging.offset, m * n));
    runtime.release(staging);
  }
  return true;
}
