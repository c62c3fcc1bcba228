/**
 * Where the float32 WebAssembly matmul (matmul.wat's `range`) finds its operands: A and B copied
 * into the module's memory above the threads' workspaces, C written there and copied out once.
 * Shared by the one-thread path (matmul-simd.ts, a plain memory) and the threaded one
 * (matmul-threaded.ts, a shared memory), which lay the memory out the same way from `base`.
 */
import type { MatmulDims } from './matmul';

/** The module's blocking (matmul.wat's `range` hard-codes the same numbers). */
const KC = 256;
const MC = 256;
const NC = 1024;

/** Every region starts on a cache line, so no two threads' regions share one. */
export const ALIGN = 64;
export const alignUp = (bytes: number) => Math.ceil(bytes / ALIGN) * ALIGN;

/** One thread's workspace: the 4 x 8 scratch tile (128 bytes), packed A (MC x KC), packed B (NC x KC). */
export const WORK_BYTES = alignUp(128 + MC * KC * 4 + NC * KC * 4);

const PAGE_BYTES = 65_536;
/** 32-bit addresses, less a page so that an end offset still fits an i32's unsigned range. */
export const MAX_BYTES = 2 ** 32 - PAGE_BYTES;

/** matmul.wat's `range`: C[i0:i1, j0:j1] of op(A) op(B), with one thread's workspace at `work`. */
export interface RangeKernel {
  range(
    a: number,
    b: number,
    c: number,
    m: number,
    n: number,
    k: number,
    flags: number,
    i0: number,
    i1: number,
    j0: number,
    j1: number,
    work: number,
  ): void;
}

/** `range`'s layout flags: bit 0, A is stored [k, m]; bit 1, B is stored [n, k]. */
export function layoutFlags({ transposeA, transposeB }: MatmulDims): number {
  return (transposeA ? 1 : 0) | (transposeB ? 2 : 0);
}

/** Byte offsets of A, B and C in the memory. */
export interface Staged {
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

/**
 * Copies A and B into `memory` from byte `base` on (growing it as needed) and says where they and
 * C are; null when they would not fit 32-bit addresses or the memory cannot grow, so the caller
 * runs another path.
 */
export function stageOperands(
  memory: WebAssembly.Memory,
  base: number,
  a: Float32Array,
  b: Float32Array,
  { m, n, k }: MatmulDims,
): Staged | null {
  const at = { a: base, b: base + alignUp(m * k * 4), c: 0 };
  at.c = at.b + alignUp(k * n * 4);
  const end = at.c + m * n * 4;
  if (end > MAX_BYTES) return null;
  const have = memory.buffer.byteLength;
  if (end > have) {
    try {
      memory.grow(Math.ceil((end - have) / PAGE_BYTES));
    } catch {
      return null; // the engine could not reserve that much: the TypeScript kernel runs instead
    }
  }
  // Views are made after any growth: growing a plain memory detaches its old buffer.
  const buffer = memory.buffer;
  new Float32Array(buffer, at.a, m * k).set(a.subarray(0, m * k));
  new Float32Array(buffer, at.b, k * n).set(b.subarray(0, k * n));
  return at;
}

/** Copies C (m x n floats at byte `at`) out of the memory into `c`. */
export function unstage(memory: WebAssembly.Memory, at: number, c: Float32Array, { m, n }: MatmulDims): void {
  c.set(new Float32Array(memory.buffer, at, m * n));
}
