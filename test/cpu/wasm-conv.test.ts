// The CPU backend's WebAssembly SIMD conv2d and its two gradients (src/backend/cpu/kernels/conv-simd.ts)
// against the TypeScript twin (conv.ts) on fresh random inputs: odd shapes, strides, both paddings,
// channels not a multiple of 4, batch 1 and more, sizes that cross the 256-row and 256-tap blocks and
// the image tiles; NaN and Infinity; a hand-computed case; and the backend's op.
import { afterEach, describe, expect, it } from 'vitest';
import {
  conv2dFilterWasm,
  conv2dInputWasm,
  conv2dWasm,
  useWasmConv,
  wasmConvAvailable,
} from '../../src/backend/cpu/kernels/conv-simd';
import { kernelRuntime } from '../../src/backend/cpu/wasm/runtime';
import type { Padding } from '../../src/graph/op-params';
import type { Shape } from '../../src/graph/shape';
import { convFace, convOperands, outputSize } from './conv-faces';
import { freshInputs, normwise } from './wasm-helpers';

const { seed, random } = freshInputs();
const face = convFace;
const operands = convOperands(random);

afterEach(() => useWasmConv(true));

describe(`WebAssembly SIMD conv2d (seed ${seed})`, () => {
  it('runs here (Node has WebAssembly SIMD)', () => {
    expect(wasmConvAvailable()).toBe(true);
  });

  // [x NHWC, filter HWIO, strides, padding]
  const cases: [Shape, Shape, [number, number], Padding][] = [
    [[1, 5, 5, 1], [3, 3, 1, 1], [1, 1], 'valid'],
    [[2, 7, 6, 3], [3, 2, 3, 5], [1, 1], 'same'],
    [[3, 9, 11, 5], [3, 3, 5, 7], [2, 2], 'same'],
    [[2, 10, 9, 6], [4, 3, 6, 9], [3, 2], 'valid'],
    [[1, 8, 8, 2], [5, 5, 2, 3], [2, 3], 'same'],
    [[4, 28, 28, 1], [3, 3, 1, 8], [1, 1], 'valid'],
    // 300 patch taps (past one 256-deep block) and 33 filters (a partial 8-column panel).
    [[2, 6, 7, 12], [5, 5, 12, 33], [1, 1], 'same'],
    // Many images of few positions; then images of 2 MiB each, one image to a tile.
    [[1800, 6, 6, 1], [2, 2, 1, 3], [2, 2], 'valid'],
    [[3, 300, 300, 4], [3, 3, 4, 2], [1, 1], 'same'],
    [[3, 4, 4, 2], [1, 1, 2, 2], [1, 1], 'valid'],
  ];
  for (const [x, w, strides, padding] of cases) {
    for (const op of ['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter'] as const) {
      it(`${op} agrees with the TypeScript twin: x ${x}, filter ${w}, strides ${strides}, ${padding}`, () => {
        const params = { strides, padding };
        const [a, b] = operands(op, x, w, params);
        const twin = face(op, a, b, x, w, params, Float64Array);
        const out = new Float32Array(outputSize(op, x, w, params));
        const simd = {
          conv2d: conv2dWasm,
          conv2dBackpropInput: conv2dInputWasm,
          conv2dBackpropFilter: conv2dFilterWasm,
        }[op];
        expect(simd(a, b, out, x, w, params)).toBe(true);
        expect(normwise(out, twin)).toBeLessThan(1e-5);
        // And through the kernel table, as the backend calls it.
        expect(face(op, a, b, x, w, params)).toEqual(out);
      });
    }
  }

  it('gives hand-computed values: a 3x3 image, a 2x2 filter, same padding, stride 1', () => {
    // x = 1..9 row-major, filter [[1, 2], [3, 4]]; 'same' pads one zero row below and one column right.
    const x = Float32Array.from({ length: 9 }, (_, i) => i + 1);
    const w = Float32Array.from([1, 2, 3, 4]);
    const y = new Float32Array(9);
    expect(conv2dWasm(x, w, y, [1, 3, 3, 1], [2, 2, 1, 1], { strides: [1, 1], padding: 'same' })).toBe(true);
    // y[0,0] = 1*1 + 2*2 + 4*3 + 5*4 = 37; y[0,2] = 3*1 + 6*3 = 21; y[2,2] = 9.
    expect([...y]).toEqual([37, 47, 21, 67, 77, 33, 23, 26, 9]);
  });

  it("uses operands that live in the kernel memory in place (a compiled step's buffers)", () => {
    const runtime = kernelRuntime()!;
    const [x, w]: Shape[] = [
      [3, 9, 8, 5],
      [3, 3, 5, 6],
    ];
    const params = { strides: [1, 2] as [number, number], padding: 'same' as const };
    const [a, b] = operands('conv2d', x, w, params);
    const expected = face('conv2d', a, b, x, w, params);
    const [xn, wn, yn] = [a.length, b.length, expected.length];
    const region = runtime.alloc((xn + wn + yn) * 4)!;
    try {
      runtime.f32(region.offset, xn).set(a);
      runtime.f32(region.offset + xn * 4, wn).set(b);
      const views = [runtime.f32(region.offset, xn), runtime.f32(region.offset + xn * 4, wn)];
      const y = runtime.f32(region.offset + (xn + wn) * 4, yn);
      expect(conv2dWasm(views[0], views[1], y, x, w, params)).toBe(true);
      expect(runtime.f32(region.offset + (xn + wn) * 4, yn)).toEqual(expected);
    } finally {
      runtime.release(region);
    }
  });
});
