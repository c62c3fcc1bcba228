// The compiled CPU step's broadcasting binary ops in WebAssembly SIMD (elementwise.wat's `binary`,
// called by src/backend/cpu/kernels/wasm-binary.ts) against the TypeScript twins (elementwise.ts)
// on fresh random shapes in the kernel memory: ranks 0 to 5, odd sizes, every broadcast pattern
// (either operand, or both, broadcast along any axis, missing leading axes, scalars), with NaN,
// Infinity and ties: the twin's bits. Then seeded fits with the WebAssembly kernels on and off.
import { afterEach, describe, it } from 'vitest';
import { BINARY, prepareWasmKernels } from '../../src/backend/cpu/kernels/wasm-calls';
import { useWasmKernels } from '../../src/backend/cpu/wasm/modules';
import { type Shape, sizeOf } from '../../src/graph/shape';
import { BatchNormalization, Dense, Random, Sequential, SGD } from '../../src/index';
import {
  expectSameBits,
  expectSameFitWithAndWithoutWasm,
  freshInputs,
  kernelOperands,
  withSpecials,
} from './wasm-helpers';

const { seed, rng, random } = freshInputs();
const { releaseAll, both } = kernelOperands();
prepareWasmKernels();
afterEach(() => {
  releaseAll();
  useWasmKernels(true);
});

const OPS = BINARY;

const pick = <T>(from: readonly T[]): T => from[Math.floor(rng.uniform() * from.length)];

/**
 * A random output shape and two operand shapes that broadcast to it: each axis of each operand is
 * the output's or 1 (at least one operand keeps a size past 1), and leading 1s may be dropped.
 */
function randomShapes(): [Shape, Shape, Shape] {
  const rank = Math.floor(rng.uniform() * 6);
  const out = Array.from({ length: rank }, () => pick([1, 2, 3, 4, 5, 7, 9, 13]));
  const a = out.map((d) => (rng.uniform() < 0.35 ? 1 : d));
  const b = out.map((d, i) => (a[i] !== d || rng.uniform() < 0.65 ? d : 1));
  const trim = (s: number[]) => {
    let from = 0;
    while (from < s.length && s[from] === 1 && rng.uniform() < 0.5) from++;
    return s.slice(from);
  };
  return rng.uniform() < 0.5 ? [trim(a), trim(b), out] : [trim(b), trim(a), out];
}

/** Operands with NaN, Infinity and values equal between the two (the comparisons' ties). */
function operands(aShape: Shape, bShape: Shape): [Float32Array, Float32Array] {
  const [a, b] = [withSpecials(random(sizeOf(aShape), 3)), random(sizeOf(bShape), 3).reverse()];
  for (let i = 0; i < Math.min(a.length, b.length); i += 5) b[i] = a[i];
  // Exact zeros, for div's 0 / 0 and x / 0.
  if (b.length > 1) b[b.length - 1] = 0;
  return [a, b];
}

const named: [string, Shape, Shape, Shape][] = [
  ['same shape, odd length', [37], [37], [37]],
  ['bias add [m, n] + [n]', [9, 13], [13], [9, 13]],
  ['row scale [m, n] * [m, 1]', [7, 10], [7, 1], [7, 10]],
  ['scalar operand', [5, 3], [], [5, 3]],
  ['scalar first', [], [6, 7], [6, 7]],
  ['both scalars', [], [], []],
  ['NCHW per-channel [b, c, h, w] * [c, 1, 1]', [2, 3, 5, 7], [3, 1, 1], [2, 3, 5, 7]],
  ['NHWC per-channel [b, h, w, c] * [c]', [2, 5, 7, 3], [3], [2, 5, 7, 3]],
  ['outer product [m, 1] * [1, n]', [9, 1], [1, 11], [9, 11]],
  ['alternating [2, 3, 4, 5] * [3, 1, 5]: an axis outside the module', [2, 3, 4, 5], [3, 1, 5], [2, 3, 4, 5]],
  ['five levels [2, 1, 3, 1, 5] with [1, 4, 1, 6, 1]', [2, 1, 3, 1, 5], [1, 4, 1, 6, 1], [2, 4, 3, 6, 5]],
];

/** The op on fresh operands of these shapes through its WebAssembly call and its twin: the same bits. */
function check(op: (typeof OPS)[number], aShape: Shape, bShape: Shape, out: Shape) {
  const [a, b] = operands(aShape, bShape);
  const inputs: [Float32Array, Shape][] = [
    [a, aShape],
    [b, bShape],
  ];
  const { wasm, twin } = both(op, inputs, [out], {});
  expectSameBits(wasm[0], twin[0]);
  releaseAll();
}

describe(`WebAssembly broadcasting binary ops (seed ${seed})`, () => {
  for (const op of OPS) {
    for (const [name, aShape, bShape, out] of named)
      it(`${op}, ${name}: the twin's bits`, () => check(op, aShape, bShape, out));

    it(`${op} on 40 fresh random shape pairs: the twin's bits`, () => {
      for (let trial = 0; trial < 40; trial++) check(op, ...randomShapes());
    });
  }
});

describe('seeded fits with WebAssembly kernels on and off (broadcast ops in the step)', () => {
  it('a Dense + BatchNormalization regression with SGD: the same losses and weights within 1e-5', async () => {
    const data = new Random(11);
    const [rows, features] = [45, 7];
    const x = Array.from({ length: rows * features }, () => data.normal());
    const y = Array.from({ length: rows * 2 }, () => data.normal());
    const build = () => {
      const model = new Sequential({
        layers: [
          new Dense({ units: 9, activation: 'tanh', inputShape: [features] }),
          new BatchNormalization({}),
          new Dense({ units: 2 }),
        ],
        seed: 5,
      });
      model.compile({ optimizer: new SGD({ learningRate: 0.05, momentum: 0.5 }), loss: 'meanSquaredError' });
      return model;
    };
    await expectSameFitWithAndWithoutWasm(build, [x, [rows, features]], [y, [rows, 2]], 3);
  });
});
