// conv2d and its two gradients on the CPU backend's worker threads (src/backend/cpu/kernels/
// conv-threaded.ts with conv-parts.wat, in Node's worker_threads) against one thread bit for bit
// and against the float64 TypeScript twin within 1e-5, on fresh random inputs: odd shapes,
// strides, both paddings, taps past one 256-deep block, 70 filters, batch 1 (where the input
// gradient, cut by whole images, stays on one thread) and images past one tile. Then a seeded CNN
// fit on 1 and 2 threads: the same losses and weights, bit for bit.
import { afterAll, describe, expect, it } from 'vitest';
import { conv2dFilterWasm, conv2dInputWasm, conv2dWasm } from '../../src/backend/cpu/kernels/conv-simd';
import { cpuThreadsInfo, cpuThreadsReady } from '../../src/backend/cpu/kernels/matmul-threaded';
import { setCpuThreads } from '../../src/backend/cpu/threads/config';
import type { Padding } from '../../src/graph/op-params';
import type { Shape } from '../../src/graph/shape';
import { Adam, Conv2D, Dense, Flatten, MaxPooling2D, Random, Sequential, setBackend } from '../../src/index';
import { convFace, convOperands, FACES, type Face, outputSize } from './conv-faces';
import { firstDifference, freshInputs, normwise } from './wasm-helpers';

const { seed, random } = freshInputs();
const operands = convOperands(random);
const SIMD = {
  conv2d: conv2dWasm,
  conv2dBackpropInput: conv2dInputWasm,
  conv2dBackpropFilter: conv2dFilterWasm,
};

afterAll(() => setCpuThreads('auto'));

// [x NHWC, filter HWIO, strides, padding]: each face past the size the threads take (2^19 multiply-adds).
const cases: [Shape, Shape, [number, number], Padding][] = [
  [[3, 17, 19, 5], [3, 3, 5, 13], [1, 1], 'same'],
  [[4, 23, 21, 7], [5, 3, 7, 11], [2, 1], 'valid'],
  // 360 taps: two 256-deep blocks.
  [[2, 9, 11, 40], [3, 3, 40, 9], [1, 1], 'same'],
  [[2, 12, 12, 6], [3, 3, 6, 70], [1, 1], 'same'],
  [[1, 30, 31, 3], [3, 3, 3, 48], [1, 2], 'same'],
  // 1 MiB an image: tiles of 4 images and 1, whose blocks the filter gradient keeps.
  [[5, 128, 128, 13], [3, 3, 13, 3], [1, 1], 'same'],
];

interface Run {
  op: Face;
  a: Float32Array;
  b: Float32Array;
  x: Shape;
  w: Shape;
  params: { strides: [number, number]; padding: Padding };
}

const runs: Run[] = cases.flatMap(([x, w, strides, padding]) =>
  FACES.map((op) => {
    const params = { strides, padding };
    const [a, b] = operands(op, x, w, params);
    return { op, a, b, x, w, params };
  }),
);

/** Every run through the WebAssembly path (outputs poisoned: an element no thread writes stays NaN). */
function outputs(): Float32Array[] {
  return runs.map(({ op, a, b, x, w, params }) => {
    const out = new Float32Array(outputSize(op, x, w, params)).fill(Number.NaN);
    expect(SIMD[op](a, b, out, x, w, params)).toBe(true);
    return out;
  });
}

describe(`threaded WebAssembly conv2d (seed ${seed})`, () => {
  for (const threads of [2, 3])
    it(`every face on ${threads} threads equals one thread bit for bit, and the twin to 1e-5`, async () => {
      setCpuThreads(threads);
      expect((await cpuThreadsReady()).threads).toBe(threads);
      const before = cpuThreadsInfo().splitProducts;
      const threaded = outputs();
      // Every run is cut but the input gradient of the one-image case.
      expect(cpuThreadsInfo().splitProducts - before).toBe(runs.length - 1);
      setCpuThreads(1);
      expect((await cpuThreadsReady()).threads).toBe(1);
      const single = outputs();
      runs.forEach(({ op, a, b, x, w, params }, i) => {
        const label = `${op}: x ${x}, filter ${w}, strides ${params.strides}, ${params.padding}`;
        expect(firstDifference(threaded[i], single[i]), label).toBe(-1);
        expect(normwise(threaded[i], convFace(op, a, b, x, w, params, Float64Array)), label).toBeLessThan(
          1e-5,
        );
      });
    });
});

async function train(threads: number): Promise<{ losses: number[]; weights: Float32Array[] }> {
  setCpuThreads(threads);
  expect((await cpuThreadsReady()).threads).toBe(threads);
  await setBackend('cpu');
  const rng = new Random(3);
  const n = 32;
  const x = Float32Array.from({ length: n * 12 * 12 * 4 }, () => rng.normal());
  const y = Array.from({ length: n }, (_, i) => [i % 2, 1 - (i % 2)]);
  const model = new Sequential({
    seed: 9,
    layers: [
      new Conv2D({
        filters: 16,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        inputShape: [12, 12, 4],
      }),
      // Large enough to be cut, and not the first layer, so its input gradient runs too.
      new Conv2D({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      new MaxPooling2D({ poolSize: 2 }),
      new Flatten(),
      new Dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
  const history = await model.fit({ data: x, shape: [n, 12, 12, 4] }, y, { batchSize: 16, epochs: 2 });
  const weights = await Promise.all(model.getWeights().map((w) => w.data()));
  return { losses: history.history.loss, weights };
}

it('a seeded CNN fit on 2 threads equals the fit on 1 thread bit for bit', async () => {
  const two = await train(2);
  expect(cpuThreadsInfo().splitProducts).toBeGreaterThan(0);
  const one = await train(1);
  expect(two.losses).toHaveLength(2);
  expect(two.losses).toEqual(one.losses);
  two.weights.forEach((w, i) => {
    expect(firstDifference(w, one.weights[i]), `weight ${i}`).toBe(-1);
  });
});
