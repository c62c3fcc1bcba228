// The compiled CPU step's WebAssembly kernels (src/backend/cpu/kernels/wasm-calls.ts and its .wat
// modules) against their TypeScript twins on fresh random inputs in the kernel memory: odd
// lengths (not multiples of 4), every activation, layout and reduced-axis set, batch norm's
// channel kernels along every axis, NaN and Infinity. Products, relu and the channel kernels are
// the twin's bits; sums match to float64 rounding. (Binary ops: wasm-binary.test.ts;
// optimizer updates: wasm-optimizer.test.ts.)
import { afterEach, describe, expect, it } from 'vitest';
import { prepareWasmKernels, wasmCall } from '../../src/backend/cpu/kernels/wasm-calls';
import { type Shape, sizeOf } from '../../src/graph/shape';
import { expectSameBits, freshInputs, kernelOperands, withSpecials } from './wasm-helpers';

const { seed, random } = freshInputs();
const { runtime, inMemory, releaseAll, both } = kernelOperands();
// As a compiled step does: modules and the matmul's panels before any view is made.
prepareWasmKernels();
afterEach(releaseAll);

describe(`WebAssembly elementwise and reduction kernels (seed ${seed})`, () => {
  for (const [m, n, k] of [
    [1, 1, 1],
    [7, 13, 5],
    [16, 10, 33],
    [33, 31, 9],
  ])
    for (const activation of ['linear', 'relu', 'sigmoid', 'tanh'] as const)
      for (const transposeB of [false, true])
        it(`fusedMatmul ${m}x${k} * ${k}x${n}${transposeB ? ' B^T' : ''} + bias, ${activation}: the twin's bits`, () => {
          const params = { transposeA: false, transposeB, activation };
          const bias = withSpecials(random(n));
          const { wasm, twin } = both(
            'fusedMatmul',
            [
              [random(m * k), [m, k]],
              [random(k * n), transposeB ? [n, k] : [k, n]],
              [bias, [n]],
            ],
            [[m, n]],
            params,
          );
          expectSameBits(wasm[0], twin[0]);
        });

  for (const length of [1, 3, 4, 5, 255, 1027])
    for (const activation of ['relu', 'sigmoid', 'tanh'] as const)
      it(`activationGrad ${activation}, ${length} elements, NaN and Infinity in both operands: the twin's bits`, () => {
        const y = withSpecials(
          activation === 'relu' ? random(length) : random(length, 0.5).map((v) => v + 0.5),
        );
        const dy = withSpecials(random(length, 3)).reverse();
        const { wasm, twin } = both(
          'activationGrad',
          [
            [dy, [length]],
            [y, [length]],
          ],
          [[length]],
          { activation },
        );
        expectSameBits(wasm[0], twin[0]);
      });

  const reductions: [Shape, number[]][] = [
    [[1], [0]],
    [[7], [0]],
    [[129, 13], [0]],
    [[129, 13], [1]],
    [
      [5, 6],
      [0, 1],
    ],
    [[3, 5, 7], [1]],
    [
      [3, 5, 7],
      [0, 1],
    ],
    [
      [3, 5, 7],
      [1, 2],
    ],
    [[2, 1, 9, 1], [2]],
    [
      [4, 3, 3, 5],
      [0, 1, 2],
    ],
  ];
  for (const [shape, axes] of reductions)
    it(`sum ${JSON.stringify(shape)} over axes ${axes}: the twin's float64 sums, rounded once`, () => {
      const x = random(sizeOf(shape), 100);
      const out = shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const { wasm, twin } = both('sum', [[x, shape]], [out], { axes, keepDims: true });
      for (let i = 0; i < twin[0].length; i++)
        expect(Math.abs(wasm[0][i] - twin[0][i])).toBeLessThanOrEqual(Math.abs(twin[0][i]) * 2 ** -23);
    });

  it('sum keeps NaN and Infinity: a NaN row gives NaN, +Infinity gives +Infinity, +Infinity - Infinity gives NaN', () => {
    const x = random(4 * 9);
    x[0 * 9 + 4] = Number.NaN;
    x[1 * 9 + 8] = Number.POSITIVE_INFINITY;
    [x[2 * 9 + 1], x[2 * 9 + 2]] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    const { wasm, twin } = both('sum', [[x, [4, 9]]], [[4, 1]], { axes: [1], keepDims: true });
    expect(wasm[0][0]).toBeNaN();
    expect(wasm[0][1]).toBe(Number.POSITIVE_INFINITY);
    expect(wasm[0][2]).toBeNaN();
    expectSameBits(wasm[0].subarray(3), twin[0].subarray(3));
  });

  for (const length of [1, 3, 4, 5, 255, 1027])
    it(`relu on ${length} elements with NaN, Infinity and -0: the twin's bits`, () => {
      const x = withSpecials(random(length));
      if (length > 3) x[3] = -0;
      const { wasm, twin } = both('relu', [[x, [length]]], [[length]], {});
      expectSameBits(wasm[0], twin[0]);
    });

  const affine: [Shape, number][] = [
    [[4, 5, 6, 8], 3],
    [[3, 7, 3], 2],
    [[2, 9, 5], 2],
    [[5, 6, 7, 3], 1],
    [[7, 11], 0],
    [[1, 13], 1],
  ];
  for (const [shape, axis] of affine)
    it(`channelAffine on ${JSON.stringify(shape)} along axis ${axis}: the twin's bits`, () => {
      const c = shape[axis];
      const x = withSpecials(random(sizeOf(shape), 4));
      const [center, scale, shift] = [random(c), random(c, 3), random(c)];
      const { wasm, twin } = both(
        'channelAffine',
        [
          [x, shape],
          [center, [c]],
          [scale, [c]],
          [shift, [c]],
        ],
        [shape],
        { axis },
      );
      expectSameBits(wasm[0], twin[0]);
    });

  for (const [shape, axis] of affine)
    it(`channelMoments and channelSums on ${JSON.stringify(shape)} along axis ${axis}: the twin's bits`, () => {
      const c = shape[axis];
      // A mean far from 0, where a one-pass variance would lose its digits.
      const x = random(sizeOf(shape), 3).map((v) => v + 40);
      const moments = both('channelMoments', [[x, shape]], [[2 * c]], { axis });
      expectSameBits(moments.wasm[0], moments.twin[0]);
      const dy = withSpecials(random(sizeOf(shape)));
      const center = random(c);
      const sums = both(
        'channelSums',
        [
          [dy, shape],
          [x, shape],
          [center, [c]],
        ],
        [[2 * c]],
        { axis },
      );
      expectSameBits(sums.wasm[0], sums.twin[0]);
    });

  it('leaves ops, layouts and operands it does not cover to the TypeScript kernels', () => {
    const [a, b] = inMemory([random(6), random(6)]);
    const heap = { data: new Float32Array(6), shape: [6] };
    expect(wasmCall(runtime, 'exp', [{ data: a, shape: [6] }], [{ data: b, shape: [6] }], {})).toBeNull();
    // An axis set that is not adjacent once size-1 axes are dropped has no [outer, reduced, inner] form.
    const x = inMemory([random(24)])[0];
    const sumOut = { data: inMemory([new Float32Array(4)])[0], shape: [1, 4, 1] };
    expect(
      wasmCall(runtime, 'sum', [{ data: x, shape: [2, 4, 3] }], [sumOut], { axes: [0, 2], keepDims: true }),
    ).toBeNull();
    // An operand outside the kernel memory.
    expect(
      wasmCall(runtime, 'activationGrad', [heap, { data: a, shape: [6] }], [{ data: b, shape: [6] }], {
        activation: 'relu',
      }),
    ).toBeNull();
  });
});
