/**
 * The CPU backend's one WebAssembly memory, which every kernel module imports (`(import "env"
 * "memory" (memory 1))`), so a compiled step's buffers, the matmul's packing panels and every
 * kernel's operands live in one address space and pass between modules as byte offsets, never
 * copied.
 */

export const PAGE_BYTES = 65_536;
/** 32-bit addresses: 4 GiB, less one page so that an end offset still fits an i32's unsigned range. */
export const MAX_PAGES = 65_535;

export interface KernelMemoryOptions {
  /** Pages to start with. */
  readonly initialPages: number;
  /**
   * A SharedArrayBuffer-backed memory that workers can share (only where `crossOriginIsolated`).
   * A shared memory needs a maximum, and every module that imports it must declare its import
   * `shared` with the same limits.
   */
  readonly shared?: boolean;
}

/**
 * The one place the memory is made: a thread pool switches it to `shared: true` here and nowhere
 * else. A plain memory detaches its ArrayBuffer when it grows (WasmRuntime.generation counts the
 * growths, so holders of Float32Array views remake them); a shared one keeps its buffer's bytes
 * and hands out a longer SharedArrayBuffer from `memory.buffer`.
 */
export function createKernelMemory({
  initialPages,
  shared = false,
}: KernelMemoryOptions): WebAssembly.Memory {
  return shared
    ? new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES, shared: true })
    : new WebAssembly.Memory({ initial: initialPages });
}
