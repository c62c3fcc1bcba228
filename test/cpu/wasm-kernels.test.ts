// The compiled CPU step's WebAssembly kernels (src/backend/cpu/kernels/wasm-calls.ts and its .wat
// modules) against their TypeScript twins on fresh random inputs in the kernel memory: odd
// lengths (not multiples of 4), every activation, layout and reduced-axis set, NaN and Infinity.
// Products and optimizer updates are the twin's bits; sums match to float64 rounding.
import { afterEach, describe, expect, it } from 'vitest';
import { cpuKernels } from '../../src/backend/cpu/kernels';
import { prepareWasmKernels, wasmCall } from '../../src/backend/cpu/kernels/wasm-calls';
import type { CpuTensor } from '../../src/backend/cpu/types';
import { kernelRuntime, type Region } from '../../src/backend/cpu/wasm/runtime';
import type { OpName, OpParams } from '../../src/graph/op-params';
import { Random } from '../../src/graph/random';
import { type Shape, sizeOf } from '../../src/graph/shape';

const seed = (Date.now() ^ (Math.random() * 2 ** 31)) >>> 0;
const rng = new Random(seed);
const random = (size: number, scale = 1) =>
  Float32Array.from({ length: size }, () => (rng.uniform() * 2 - 1) * scale);
const runtime = kernelRuntime()!;
// As a compiled step does: modules and the matmul's panels before any view is made.
prepareWasmKernels();
let held: Region[] = [];
afterEach(() => {
  for (const r of held) runtime.release(r);
  held = [];
});

/** Copies of `arrays` in the kernel memory (all regions first: a growth would detach earlier views). */
function inMemory(arrays: readonly Float32Array[]): Float32Array[] {
  const regions = arrays.map((a) => runtime.alloc(a.length * 4)!);
  held.push(...regions);
  return arrays.map((a, j) => {
    const view = runtime.f32(regions[j].offset, a.length);
    view.set(a);
    return view;
  });
}

/** Runs op through its WebAssembly call (operands in the kernel memory) and through the TypeScript twin. */
function both<K extends OpName>(
  op: K,
  inputs: readonly [Float32Array, Shape][],
  outShapes: readonly Shape[],
  params: OpParams[K],
  twinParams: (k: number) => OpParams[K] = () => params,
) {
  const poisoned = outShapes.map((s) => new Float32Array(sizeOf(s)).fill(Number.NaN));
  const views = inMemory([...inputs.map(([a]) => a), ...poisoned]);
  const ins: CpuTensor[] = inputs.map(([, shape], j) => ({ data: views[j], shape }));
  const outs: CpuTensor[] = outShapes.map((shape, k) => ({ data: views[inputs.length + k], shape }));
  const call = wasmCall(runtime, op, ins, outs, params);
  expect(call).not.toBeNull();
  call!(params);
  const twin = outShapes.map((shape, k) => {
    const out = { data: new Float32Array(sizeOf(shape)), shape };
    const heap = inputs.map(([a, s]) => ({ data: a.slice(), shape: s }));
    (cpuKernels[op] as (i: CpuTensor[], o: CpuTensor, p: OpParams[K]) => void)(heap, out, twinParams(k));
    return out.data;
  });
  return { wasm: outs.map((o) => Float32Array.from(o.data)), twin };
}

/** Bit-equal, with any NaN matching any NaN (payloads may differ between engines). */
function expectSameBits(actual: Float32Array, expected: Float32Array) {
  const [a, e] = [new Uint32Array(actual.buffer), new Uint32Array(expected.buffer)];
  for (let i = 0; i < e.length; i++) {
    if (Number.isNaN(expected[i])) expect(actual[i], `element ${i}`).toBeNaN();
    else if (a[i] !== e[i]) expect(actual[i], `element ${i}`).toBe(expected[i]);
  }
}

function withSpecials(a: Float32Array): Float32Array {
  if (a.length >= 3) [a[0], a[1], a[2]] = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
  return a;
}

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
