/**
 * Operands and scratch of the window kernels (conv-simd.ts, pool-simd.ts) in the CPU backend's
 * kernel memory (../wasm/). An operand that already lives there (a compiled step's buffer) is
 * used in place; any other goes through a tile region, copied in or out one tile of images at a
 * time. All of one op's regions are one allocation, released when the op ends.
 */
import type { Region, WasmRuntime } from '../wasm/runtime';

/** The most kernel memory one op's scratch may take; past it the caller runs the TypeScript twin. */
const MAX_SCRATCH_BYTES = 1 << 30;
/** Bytes of slack after each tile region, for kernels whose last vector runs past an array's end. */
const SLACK = 16;
/**
 * Scratch kept for the ops of compiled steps, whose operands live in the kernel memory: a step
 * holds views of that memory, so its kernels must not grow it. Reserved before a step makes its
 * views (prepareWasmKernels); an op whose scratch does not fit it while an operand lives in the
 * kernel memory runs the TypeScript twin instead of growing the memory.
 */
const RESERVED_BYTES = 4 << 20;
let reserved: Region | null = null;

/** Reserves the steps' scratch (once); false when the memory cannot give it. */
export function reserveScratch(runtime: WasmRuntime): boolean {
  reserved ??= runtime.alloc(RESERVED_BYTES);
  return reserved !== null;
}

/**
 * Byte offset of the reserved scratch for a kernel of a compiled step that needs `bytes` of it
 * during one call (ops run one at a time, so they take turns), or null where it was not reserved
 * or is smaller.
 */
export function reservedScratch(bytes: number): number | null {
  return reserved && bytes <= reserved.bytes ? reserved.offset : null;
}

const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;

/** An NHWC operand of `perImage` floats an image. */
export class Operand {
  /** Where it lives in the kernel memory (-1: elsewhere), and where the kernels use it (-1: a tile). */
  private readonly home: number;
  private readonly offset: number;
  private readonly length: number;
  private tileAt = -1;

  constructor(
    private readonly runtime: WasmRuntime,
    private view: Float32Array,
    private readonly perImage: number,
    /** False where a kernel may touch bytes past the array (it then goes through a tile with slack). */
    inPlace = true,
  ) {
    this.home = runtime.offsetOf(view);
    this.offset = inPlace ? this.home : -1;
    // Taken now: a growth of the memory detaches views of it, and a detached view's length reads 0.
    this.length = view.length;
  }

  /** Whether it lives in the kernel memory (then the memory must not grow under its holder). */
  get resident(): boolean {
    return this.home >= 0;
  }

  /** Bytes its tile region needs for `images` images (none when it is used in place). */
  tileBytes(images: number): number {
    return this.offset >= 0 ? 0 : images * this.perImage * 4 + SLACK;
  }

  bind(tileAt: number): void {
    this.tileAt = tileAt;
  }

  /** The operand's floats as they are now (remade on the current buffer if the memory grew since). */
  array(): Float32Array {
    if (this.home >= 0 && this.view.buffer !== this.runtime.memory.buffer) {
      this.view = this.runtime.f32(this.home, this.length);
    }
    return this.view;
  }

  /** Byte address of image b0's first float for the kernels. */
  address(b0: number): number {
    return this.offset >= 0 ? this.offset + b0 * this.perImage * 4 : this.tileAt;
  }

  /** Copies images b0 .. b0 + images - 1 into the tile (nothing when in place). */
  load(b0: number, images: number): void {
    if (this.offset >= 0) return;
    const from = this.array().subarray(b0 * this.perImage, (b0 + images) * this.perImage);
    this.runtime.f32(this.tileAt, images * this.perImage).set(from);
  }

  /** Zeros images b0 .. of the operand where the kernels read them (for outputs they add into). */
  zero(b0: number, images: number): void {
    this.runtime.f32(this.address(b0), images * this.perImage).fill(0);
  }

  /** Copies the tile out to images b0 .. (nothing when in place). */
  store(b0: number, images: number): void {
    if (this.offset >= 0) return;
    this.array().set(this.runtime.f32(this.tileAt, images * this.perImage), b0 * this.perImage);
  }
}

/**
 * Runs `body` with byte offsets of regions of `sizes` bytes (16-aligned, in the reserved scratch
 * or in one allocation released afterwards); null, running nothing, when the memory cannot give
 * them, or would have to grow while one of `operands` lives in it.
 */
export function withScratch<T>(
  runtime: WasmRuntime,
  operands: readonly (Operand | null)[],
  sizes: readonly number[],
  body: (at: number[]) => T,
): T | null {
  const at: number[] = [];
  let total = 0;
  for (const size of sizes) {
    at.push(total);
    total += roundUp(size, 16);
  }
  if (reserved && total <= reserved.bytes) return body(at.map((a) => reserved!.offset + a));
  if (!(total <= MAX_SCRATCH_BYTES) || operands.some((o) => o?.resident)) return null;
  const region = runtime.alloc(Math.max(total, 16));
  if (!region) return null;
  try {
    return body(at.map((a) => region.offset + a));
  } finally {
    runtime.release(region);
  }
}
