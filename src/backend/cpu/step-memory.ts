/**
 * Where a compiled CPU step keeps its arrays: one block per step (its planned slots) and one per
 * state ring, each a single region of the kernel memory (wasm/) when the backend computes in
 * float32 and WebAssembly SIMD is here, so the WebAssembly kernels work on them in place; one JS
 * array otherwise (float64, no WebAssembly, or a memory that cannot grow that far). Arrays are
 * views of the block. A growth of the kernel memory detaches a plain memory's buffer, so holders
 * compare `generation` and take fresh views from `arrays()`; offsets never change.
 */
import { type Shape, sizeOf } from '../../graph/shape';
import type { FloatArray } from './types';
import { ALIGN } from './wasm/arena';
import type { Region, WasmRuntime } from './wasm/runtime';

export class FloatBlock {
  /** Steps (and lenders' borrowers) using the block; its region is given back at 0. */
  private users = 1;
  private views: FloatArray[];
  private madeAt: number;

  private constructor(
    /** The kernel memory the block lives in, or null for a JS array. */
    readonly runtime: WasmRuntime | null,
    private readonly region: Region | null,
    private readonly heap: FloatArray | null,
    /** Element offset of each array in the block. */
    private readonly starts: readonly number[],
    readonly lengths: readonly number[],
  ) {
    this.madeAt = runtime?.generation ?? 0;
    this.views = this.makeViews();
  }

  /**
   * A block of arrays of `lengths` elements: in `runtime`'s memory (float32) when given and it has
   * room, else one JS array of `ArrayType`. Each array starts on its own cache line.
   */
  static make(
    lengths: readonly number[],
    ArrayType: Float32ArrayConstructor | Float64ArrayConstructor,
    runtime: WasmRuntime | null,
  ): FloatBlock {
    const perLine = ALIGN / ArrayType.BYTES_PER_ELEMENT;
    const starts: number[] = [];
    let total = 0;
    for (const n of lengths) {
      starts.push(total);
      total += Math.ceil(n / perLine) * perLine;
    }
    const region = runtime && ArrayType === Float32Array ? runtime.alloc(total * 4) : null;
    if (region) return new FloatBlock(runtime, region, null, starts, lengths);
    return new FloatBlock(null, null, new ArrayType(total), starts, lengths);
  }

  private makeViews(): FloatArray[] {
    const { region, heap, runtime } = this;
    if (heap) return this.starts.map((s, j) => heap.subarray(s, s + this.lengths[j]));
    return this.starts.map((s, j) => runtime!.f32(region!.offset + s * 4, this.lengths[j]));
  }

  /** Whether the arrays live in the kernel memory (WebAssembly kernels may take them). */
  get inKernelMemory(): boolean {
    return this.region !== null;
  }

  /** The block's arrays, remade if the memory grew since they were last made. */
  arrays(): readonly FloatArray[] {
    if (this.runtime && this.madeAt !== this.runtime.generation) {
      this.views = this.makeViews();
      this.madeAt = this.runtime.generation;
    }
    return this.views;
  }

  /** Bytes the block holds. */
  get bytes(): number {
    return this.region ? this.region.bytes : this.heap!.byteLength;
  }

  retain(): this {
    this.users++;
    return this;
  }

  release(): void {
    if (--this.users !== 0) return;
    if (this.region) this.runtime!.release(this.region);
  }
}

/** State sets shared by the steps of one model (one per batch size), in one block, and their position. */
export class CpuStateRing {
  readonly block: FloatBlock;
  position = 0;
  users = 0;
  private cached: { arrays: readonly FloatArray[]; sets: FloatArray[][] } | null = null;

  constructor(
    readonly shapes: readonly Shape[],
    ArrayType: Float32ArrayConstructor | Float64ArrayConstructor,
    runtime: WasmRuntime | null,
    readonly size = 2,
  ) {
    const lengths = Array.from({ length: size }, () => shapes.map(sizeOf)).flat();
    this.block = FloatBlock.make(lengths, ArrayType, runtime);
  }

  /** Set p's arrays, one per state (current views). */
  get sets(): FloatArray[][] {
    const arrays = this.block.arrays();
    if (this.cached?.arrays !== arrays) {
      const n = this.shapes.length;
      const sets = Array.from({ length: this.size }, (_, p) => arrays.slice(p * n, (p + 1) * n));
      this.cached = { arrays, sets };
    }
    return this.cached.sets;
  }

  get parity(): number {
    return this.position % this.size;
  }

  /** A step stops using the ring; the last one gives its block back. */
  leave(): void {
    if (--this.users === 0) this.block.release();
  }
}

/** Frees what a step collected without destroy() held (the held function never references the step). */
export const freeOnCollect = new FinalizationRegistry<() => void>((free) => free());
