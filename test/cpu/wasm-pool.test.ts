// The CPU backend's WebAssembly SIMD pooling (src/backend/cpu/kernels/pool-simd.ts) against the
// TypeScript twins (conv.ts) on fresh random inputs: max and average, forward and backward and
// the gather, odd shapes, strides, both paddings, channel counts not a multiple of 4, batch 1 and
// more, images past one tile; ties and NaN/Infinity; a hand-computed case.
import { describe, expect, it } from 'vitest';
import { convKernels } from '../../src/backend/cpu/kernels/conv';
import { type PoolKind, poolWasm, wasmPoolAvailable } from '../../src/backend/cpu/kernels/pool-simd';
import { kernelRuntime } from '../../src/backend/cpu/wasm/runtime';
import { windowGeometry } from '../../src/graph/conv-geometry';
import type { Padding, Pool2dParams } from '../../src/graph/op-params';
import type { Shape } from '../../src/graph/shape';
import { freshInputs, normwise } from './wasm-helpers';

const { seed, rng, random } = freshInputs();
const size = (s: Shape) => s.reduce((a, b) => a * b, 1);
const KINDS: PoolKind[] = ['maxPool2d', 'maxPool2dGrad', 'maxPool2dGather', 'avgPool2d', 'avgPool2dGrad'];

function shapesOf(kind: PoolKind, x: Shape, params: Pool2dParams): { inputs: Shape[]; out: Shape } {
  const g = windowGeometry(
    x[1],
    x[2],
    params.poolSize[0],
    params.poolSize[1],
    params.strides,
    params.padding,
  );
  const y: Shape = [x[0], g.outH, g.outW, x[3]];
  const inputs = {
    maxPool2d: [x],
    maxPool2dGrad: [x, y],
    maxPool2dGather: [x, x],
    avgPool2d: [x],
    avgPool2dGrad: [y],
  };
  return { inputs: inputs[kind], out: kind === 'maxPool2dGrad' || kind === 'avgPool2dGrad' ? x : y };
}

/** The twin in float64 (its sums exact to float32 rounding) and the WebAssembly kernel on the same inputs. */
function both(kind: PoolKind, x: Shape, params: Pool2dParams, data: Float32Array[]) {
  const shapes = shapesOf(kind, x, params);
  const twinOut = { data: new Float64Array(size(shapes.out)), shape: shapes.out };
  const inputs = data.map((d, i) => ({ data: Float64Array.from(d), shape: shapes.inputs[i] }));
  const all = { ...params, inputShape: x };
  (convKernels[kind] as (i: typeof inputs, o: typeof twinOut, p: typeof all) => void)(inputs, twinOut, all);
  const simd = new Float32Array(size(shapes.out));
  expect(poolWasm(kind, x, params, data, simd)).toBe(true);
  return { twin: Float32Array.from(twinOut.data), simd };
}

describe(`WebAssembly SIMD pooling (seed ${seed})`, () => {
  it('runs here (Node has WebAssembly SIMD)', () => {
    expect(wasmPoolAvailable()).toBe(true);
  });

  // [x NHWC, pool size, strides, padding]
  const cases: [Shape, [number, number], [number, number], Padding][] = [
    [[1, 4, 4, 1], [2, 2], [2, 2], 'valid'],
    [[2, 26, 26, 8], [2, 2], [2, 2], 'valid'],
    [[3, 7, 9, 5], [3, 3], [2, 2], 'same'],
    [[2, 8, 7, 3], [3, 2], [1, 1], 'same'],
    [[1, 9, 10, 6], [2, 3], [3, 2], 'valid'],
    [[4, 5, 5, 13], [5, 5], [1, 1], 'same'],
    // 2.2 MB images: one image to a tile.
    [[3, 250, 250, 9], [2, 2], [2, 2], 'same'],
  ];
  for (const [x, poolSize, strides, padding] of cases) {
    for (const kind of KINDS) {
      it(`${kind} agrees with the twin: x ${x}, pool ${poolSize}, strides ${strides}, ${padding}`, () => {
        const params = { poolSize, strides, padding };
        const data = shapesOf(kind, x, params).inputs.map((s) => random(size(s)));
        const { twin, simd } = both(kind, x, params, data);
        expect(normwise(simd, twin)).toBeLessThan(1e-6);
      });
    }
  }

  it('takes the first of tied maxima and the first NaN, keeps Infinity, as the twin does', () => {
    const x: Shape = [2, 6, 6, 7];
    const params = {
      poolSize: [3, 3] as [number, number],
      strides: [1, 1] as [number, number],
      padding: 'same' as const,
    };
    // Few distinct values: many ties; a scatter of NaN and +-Infinity.
    const data = Float32Array.from({ length: size(x) }, () => Math.floor(rng.uniform() * 3));
    for (let i = 0; i < data.length; i += 11)
      data[i] = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY][i % 3];
    const dy = random(size(x));
    for (const kind of KINDS) {
      const inputs = {
        maxPool2d: [data],
        maxPool2dGrad: [data, dy],
        maxPool2dGather: [data, dy],
        avgPool2d: [data],
        avgPool2dGrad: [dy],
      }[kind];
      const { twin, simd } = both(kind, x, params, inputs);
      for (let i = 0; i < twin.length; i++) {
        // Non-finite values and single picks are exact; overlapping windows' gradient sums round in float32.
        if (!Number.isFinite(twin[i]) || kind === 'maxPool2d' || kind === 'maxPool2dGather')
          expect(simd[i], `${kind} [${i}]`).toBe(twin[i]);
        else
          expect(Math.abs(simd[i] - twin[i]), `${kind} [${i}]`).toBeLessThan(
            1e-6 * Math.max(1, Math.abs(twin[i])),
          );
      }
    }
  });

  it('gives hand-computed values: 2x2 max and average pools of a 4x4 image', () => {
    const x = Float32Array.from([1, 5, 2, 0, 3, 4, 8, 8, 0, -1, 6, 7, -2, -3, 9, 1]);
    const params = {
      poolSize: [2, 2] as [number, number],
      strides: [2, 2] as [number, number],
      padding: 'valid' as const,
    };
    const y = new Float32Array(4);
    expect(poolWasm('maxPool2d', [1, 4, 4, 1], params, [x], y)).toBe(true);
    expect([...y]).toEqual([5, 8, 0, 9]);
    expect(poolWasm('avgPool2d', [1, 4, 4, 1], params, [x], y)).toBe(true);
    expect([...y]).toEqual([13 / 4, 18 / 4, -6 / 4, 23 / 4]);
    // The gradient goes to the first maximum: the 8 at (1, 2), not the one at (1, 3).
    const dx = new Float32Array(16);
    expect(poolWasm('maxPool2dGrad', [1, 4, 4, 1], params, [x, Float32Array.from([1, 2, 3, 4])], dx)).toBe(
      true,
    );
    expect([...dx]).toEqual([0, 1, 0, 0, 0, 0, 2, 0, 3, 0, 0, 0, 0, 0, 4, 0]);
  });

  it('uses operands in the kernel memory in place, and writes nothing past them (5 and 8 channels)', () => {
    const runtime = kernelRuntime()!;
    const params = {
      poolSize: [2, 2] as [number, number],
      strides: [2, 2] as [number, number],
      padding: 'valid' as const,
    };
    for (const channels of [5, 8]) {
      const x: Shape = [2, 6, 6, channels];
      const data = random(size(x));
      const expected = new Float32Array(2 * 3 * 3 * channels);
      expect(poolWasm('maxPool2d', x, params, [data], expected)).toBe(true);
      // x, then y, then a guard, in one region of the kernel memory.
      const [xn, yn, guard] = [data.length, expected.length, 8];
      const region = runtime.alloc((xn + yn + guard) * 4)!;
      try {
        runtime.f32(region.offset, xn).set(data);
        runtime.f32(region.offset + (xn + yn) * 4, guard).fill(7);
        const y = runtime.f32(region.offset + xn * 4, yn);
        expect(poolWasm('maxPool2d', x, params, [runtime.f32(region.offset, xn)], y)).toBe(true);
        expect(runtime.f32(region.offset + xn * 4, yn)).toEqual(expected);
        expect([...runtime.f32(region.offset + (xn + yn) * 4, guard)]).toEqual(new Array(guard).fill(7));
      } finally {
        runtime.release(region);
      }
    }
  });
});
