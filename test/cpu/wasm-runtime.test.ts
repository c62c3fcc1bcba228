// The CPU backend's WebAssembly runtime (src/backend/cpu/wasm/): the arena's first fit, merging
// and growth, views that survive a growth by being remade, and the feature probes.
import { describe, expect, it } from 'vitest';
import { ALIGN, Arena } from '../../src/backend/cpu/wasm/arena';
import { hasRelaxedSimd, hasSimd } from '../../src/backend/cpu/wasm/features';
import { createKernelMemory, PAGE_BYTES } from '../../src/backend/cpu/wasm/memory';
import { WasmRuntime } from '../../src/backend/cpu/wasm/runtime';

describe('Arena', () => {
  const unbounded = () => new Arena(ALIGN, () => true);

  it('hands out aligned, disjoint regions and reuses a released one first', () => {
    const arena = unbounded();
    const a = arena.alloc(10)!;
    const b = arena.alloc(100)!;
    expect([a.offset, a.bytes, b.offset, b.bytes]).toEqual([64, 64, 128, 128]);
    arena.release(a);
    const c = arena.alloc(50)!;
    expect(c.offset).toBe(64);
    expect(arena.used).toBe(192);
  });

  it('merges a released region with free neighbours on both sides', () => {
    const arena = unbounded();
    const [a, b, c, d] = [64, 64, 64, 64].map((n) => arena.alloc(n)!);
    arena.release(a);
    arena.release(c);
    arena.release(b); // joins a and c into one range of 192 bytes
    const big = arena.alloc(192)!;
    expect(big.offset).toBe(a.offset);
    expect(arena.highWater).toBe(d.offset + 64);
  });

  it('extends a free range at the top instead of leaving it behind', () => {
    const arena = unbounded();
    const a = arena.alloc(64)!;
    const b = arena.alloc(64)!;
    arena.release(b);
    const c = arena.alloc(256)!;
    expect(c.offset).toBe(b.offset);
    expect(arena.highWater).toBe(b.offset + 256);
    expect(a.offset).toBe(64);
  });

  it('gives null, and changes nothing, when the memory cannot grow; refuses a double release', () => {
    const arena = new Arena(ALIGN, (end) => end <= 1024);
    const a = arena.alloc(512)!;
    expect(arena.alloc(1024)).toBeNull();
    expect(arena.alloc(Number.NaN)).toBeNull();
    expect(arena.alloc(-1)).toBeNull();
    expect(arena.used).toBe(512);
    arena.release(a);
    expect(() => arena.release(a)).toThrow(/released twice/);
  });
});

describe('WasmRuntime', () => {
  it('grows the memory for a region past its end and counts the growth, so views can be remade', () => {
    const runtime = new WasmRuntime(createKernelMemory({ initialPages: 1 }));
    const a = runtime.alloc(100)!;
    const view = runtime.f32(a.offset, 25);
    view.fill(3);
    expect(runtime.offsetOf(view)).toBe(a.offset);
    const b = runtime.alloc(2 * PAGE_BYTES)!;
    expect(runtime.generation).toBe(1);
    expect(runtime.usage.capacity).toBeGreaterThanOrEqual(b.offset + b.bytes);
    // The old view is detached by the growth: it is no longer a view of the memory.
    expect(runtime.offsetOf(view)).toBe(-1);
    expect(Array.from(runtime.f32(a.offset, 25))).toEqual(new Array(25).fill(3));
  });

  it('is not fooled by an array of the same length elsewhere', () => {
    const runtime = new WasmRuntime(createKernelMemory({ initialPages: 1 }));
    expect(runtime.offsetOf(new Float32Array(16))).toBe(-1);
  });

  it('can be made on a shared memory (for the thread pool)', () => {
    const memory = createKernelMemory({ initialPages: 1, shared: true });
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const runtime = new WasmRuntime(memory);
    const region = runtime.alloc(PAGE_BYTES)!;
    expect(runtime.f32(region.offset, 4).buffer).toBe(memory.buffer);
  });

  it('finds SIMD and, under vitest.config.ts flag, relaxed SIMD', () => {
    expect(hasSimd()).toBe(true);
    expect(hasRelaxedSimd()).toBe(true);
  });
});
