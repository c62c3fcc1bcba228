/**
 * The CPU backend's WebAssembly runtime: the one kernel memory (memory.ts), its allocator
 * (arena.ts), Float32Array views of its regions and the instantiation of kernel modules against
 * it. Kernels take byte offsets into this memory, so an operand that lives here (a compiled step's
 * planned buffers) is used in place.
 */
import { BackendError } from '../../../errors';
import { ALIGN, Arena, type Region } from './arena';
import { hasSimd } from './features';
import { createKernelMemory, MAX_PAGES, PAGE_BYTES } from './memory';

export type { Region } from './arena';

export class WasmRuntime {
  readonly memory: WebAssembly.Memory;
  private readonly arena: Arena;
  /**
   * Growths of the memory so far. A plain memory's ArrayBuffer is detached when it grows, and
   * with it every Float32Array made from it: a holder of views compares this number with the one
   * it made them at and remakes them (regions keep their offsets, so nothing else changes).
   */
  generation = 0;

  constructor(memory: WebAssembly.Memory = createKernelMemory({ initialPages: 16 })) {
    this.memory = memory;
    // Offset 0 is never handed out, so that 0 can mean "no buffer" in a kernel's arguments.
    this.arena = new Arena(ALIGN, (end) => this.reserve(end));
  }

  private reserve(end: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return true;
    const pages = Math.ceil((end - have) / PAGE_BYTES);
    if (have / PAGE_BYTES + pages > MAX_PAGES) return false;
    try {
      this.memory.grow(pages);
    } catch {
      return false; // the engine could not find the memory: callers fall back to JS arrays
    }
    this.generation++;
    return true;
  }

  /** `bytes` of kernel memory, or null when the memory cannot grow that far. */
  alloc(bytes: number): Region | null {
    return this.arena.alloc(bytes);
  }

  release(region: Region): void {
    this.arena.release(region);
  }

  /** Bytes in live regions, and the high-water mark of the memory in use. */
  get usage(): { used: number; highWater: number; capacity: number } {
    return {
      used: this.arena.used,
      highWater: this.arena.highWater,
      capacity: this.memory.buffer.byteLength,
    };
  }

  /** `length` floats from byte `offset`, on the memory's current buffer. */
  f32(offset: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, offset, length);
  }

  /** The byte offset of `view` in the kernel memory, or -1 when it is not a view of its current buffer. */
  offsetOf(view: ArrayBufferView): number {
    return view.buffer === this.memory.buffer ? view.byteOffset : -1;
  }

  /** A kernel module's exports, its `env.memory` import bound to this memory. */
  instantiate<Exports>(bytes: Uint8Array, name: string): Exports {
    try {
      // Synchronous: kernel modules are a few KB, under the main thread's limit for synchronous compiles.
      const module = new WebAssembly.Module(bytes as BufferSource);
      return new WebAssembly.Instance(module, { env: { memory: this.memory } }).exports as Exports;
    } catch (e) {
      throw new BackendError(`WebAssembly kernel module '${name}' failed to load: ${(e as Error).message}`);
    }
  }
}

let runtime: WasmRuntime | null | undefined;

/** The backend's runtime, made on first use; null where WebAssembly SIMD is missing. */
export function kernelRuntime(): WasmRuntime | null {
  runtime ??= hasSimd() ? new WasmRuntime() : null;
  return runtime;
}
