/**
 * The allocator of the kernel memory: first fit over a list of free byte ranges, kept sorted by
 * address and merged with their neighbours on release, above a bump pointer that grows the memory.
 * Allocations are few and large (a compiled step's slots and state, the matmul's panels), made at
 * compile time and given back when a step is destroyed, so a linear scan is all it needs.
 */
import { BackendError } from '../../../errors';

/** A byte range of the kernel memory. */
export interface Region {
  /** Byte offset, a multiple of ALIGN. */
  readonly offset: number;
  /** Bytes reserved (the request rounded up to ALIGN). */
  readonly bytes: number;
}

/** A cache line: no two regions share one, and every v128 access in a region is aligned. */
export const ALIGN = 64;

const roundUp = (bytes: number) => Math.ceil(bytes / ALIGN) * ALIGN;

export class Arena {
  /** Free ranges below `top`, sorted by offset, never adjacent to each other. */
  private readonly free: Region[] = [];
  /** The first byte never handed out. */
  private top: number;
  /** Bytes in live regions. */
  used = 0;

  /**
   * @param base first byte the arena may hand out (a multiple of ALIGN)
   * @param reserve makes bytes [0, end) usable (grows the memory); false when it cannot
   */
  constructor(
    base: number,
    private readonly reserve: (end: number) => boolean,
  ) {
    this.top = roundUp(base);
  }

  /** A region of at least `bytes` (0 gives a 0-byte region), or null when the memory cannot grow to it. */
  alloc(bytes: number): Region | null {
    if (!Number.isFinite(bytes) || bytes < 0) return null;
    const size = roundUp(bytes);
    if (size === 0) return { offset: this.top, bytes: 0 };
    const at = this.free.findIndex((r) => r.bytes >= size);
    if (at >= 0) {
      const range = this.free[at];
      if (range.bytes === size) this.free.splice(at, 1);
      else this.free[at] = { offset: range.offset + size, bytes: range.bytes - size };
      this.used += size;
      return { offset: range.offset, bytes: size };
    }
    // A free range touching the top is extended rather than left behind.
    const last = this.free.at(-1);
    const start = last && last.offset + last.bytes === this.top ? last.offset : this.top;
    if (!this.reserve(start + size)) return null;
    if (start !== this.top) this.free.pop();
    this.top = start + size;
    this.used += size;
    return { offset: start, bytes: size };
  }

  /** Gives a region back; its bytes may be handed out again at once. */
  release(region: Region): void {
    if (region.bytes === 0) return;
    this.used -= region.bytes;
    const end = region.offset + region.bytes;
    let at = this.free.findIndex((r) => r.offset > region.offset);
    if (at < 0) at = this.free.length;
    const before = this.free[at - 1];
    const after = this.free[at];
    if ((before && before.offset + before.bytes > region.offset) || (after && after.offset < end))
      throw new BackendError(`kernel memory: the region at byte ${region.offset} was released twice`);
    let merged: Region = region;
    let from = at;
    let count = 0;
    if (before && before.offset + before.bytes === region.offset) {
      merged = { offset: before.offset, bytes: before.bytes + merged.bytes };
      from--;
      count++;
    }
    if (after && after.offset === end) {
      merged = { offset: merged.offset, bytes: merged.bytes + after.bytes };
      count++;
    }
    this.free.splice(from, count, merged);
  }

  /** The first byte never handed out: the memory in use, free ranges included. */
  get highWater(): number {
    return this.top;
  }
}
