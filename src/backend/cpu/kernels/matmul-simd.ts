/**
 * The float32 matmul's WebAssembly SIMD path (matmul.wat): the same GotoBLAS/BLIS blocking as the
 * TypeScript kernel (matmul.ts, its twin and the fallback), with op(A) packed in panels
 * of 4 rows and op(B) in panels of 8 columns straight into the module's memory by the TypeScript
 * packers, and every 4 x 8 block of C computed in v128 registers by the module. C is written in
 * the module's memory and copied out once. Where the engine has no WebAssembly SIMD (or no
 * WebAssembly), `matmulWasm` says so and the caller uses the TypeScript kernel.
 */
import type { MatmulDims } from './matmul';
import { packA, packB } from './matmul';
import bytes from './matmul.wat';

const MR = 4;
const NR = 8;
const KC = 256;
/** A block of packed A (MC x KC floats, 256 KiB) stays in L2 while B's panels stream through L1. */
const MC = 256;
const NC = 1024;
/** Bytes 0..127 are the module's scratch tile for edge blocks. */
const PACK_A = 128;
const PACK_B = PACK_A + MC * KC * 4;
const C_AT = PACK_B + NC * KC * 4;
/** C must fit the 32-bit address space with the packing buffers (4 GiB less what they take). */
const MAX_C_BYTES = 2 ** 32 - C_AT - 65_536;

interface Kernel {
  memory: WebAssembly.Memory;
  blocks(pa: number, pb: number, kc: number, mc: number, nc: number, c: number, n: number, acc: number): void;
}

let kernel: Kernel | null | undefined;
let enabled = true;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    // Synchronous: the module is ~1 KB, under the main thread's limit for synchronous compiles.
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource), {});
    kernel = instance.exports as unknown as Kernel;
  } catch {
    kernel = null; // no WebAssembly, or no SIMD: validation fails and the TypeScript kernel runs
  }
  return kernel;
}

/** Whether the SIMD kernel can run here (and has not been switched off). */
export function wasmMatmulAvailable(): boolean {
  return enabled && load() !== null;
}

/** Switches the WebAssembly path off or on (tests compare it with its TypeScript twin; benchmarks A/B). */
export function useWasmMatmul(on: boolean): void {
  enabled = on;
}

function ensureMemory(k: Kernel, bytesNeeded: number): void {
  const have = k.memory.buffer.byteLength;
  if (bytesNeeded > have) k.memory.grow(Math.ceil((bytesNeeded - have) / 65_536));
}

/**
 * C = op(A) op(B) for float32 operands through the SIMD module; false (and C untouched) when the
 * module cannot run here or C would not fit its memory, so the caller runs the TypeScript kernel.
 */
export function matmulWasm(a: Float32Array, b: Float32Array, c: Float32Array, dims: MatmulDims): boolean {
  const { m, n, k } = dims;
  const cBytes = m * n * 4;
  if (!enabled || cBytes > MAX_C_BYTES) return false;
  const wasm = load();
  if (!wasm) return false;
  if (k === 0 || m === 0 || n === 0) {
    c.fill(0, 0, m * n);
    return true;
  }
  ensureMemory(wasm, C_AT + cBytes);
  // Views are made after any growth: growing the memory detaches the old buffer.
  const buffer = wasm.memory.buffer;
  const packedA = new Float32Array(buffer, PACK_A, MC * KC);
  const packedB = new Float32Array(buffer, PACK_B, NC * KC);
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = Math.min(KC, k - k0);
    for (let j0 = 0; j0 < n; j0 += NC) {
      const nc = Math.min(NC, n - j0);
      packB(b, dims, j0, nc, k0, kc, packedB, NR);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = Math.min(MC, m - i0);
        packA(a, dims, i0, mc, k0, kc, packedA, MR);
        wasm.blocks(PACK_A, PACK_B, kc, mc, nc, C_AT + (i0 * n + j0) * 4, n, k0 > 0 ? 1 : 0);
      }
    }
  }
  c.set(new Float32Array(buffer, C_AT, m * n));
  return true;
}
