// A seeded CNN trained on the CPU backend with its WebAssembly conv and pooling kernels gives the
// losses and weights of the same run on the TypeScript kernels, within 1e-5: both convolutions
// (so the input gradient runs too), 'same' and 'valid' padding, a stride, max and average pooling.
import { afterEach, expect, it } from 'vitest';
import { useWasmConv, wasmConvAvailable } from '../../src/backend/cpu/kernels/conv-simd';
import { useWasmPool, wasmPoolAvailable } from '../../src/backend/cpu/kernels/pool-simd';
import {
  Adam,
  AveragePooling2D,
  Conv2D,
  Dense,
  Flatten,
  MaxPooling2D,
  Random,
  Sequential,
  setBackend,
} from '../../src/index';

afterEach(() => {
  useWasmConv(true);
  useWasmPool(true);
});

async function train(wasm: boolean): Promise<{ losses: number[]; weights: Float32Array[] }> {
  useWasmConv(wasm);
  useWasmPool(wasm);
  await setBackend('cpu');
  const rng = new Random(7);
  const n = 48;
  const x = Float32Array.from({ length: n * 11 * 10 * 3 }, () => rng.normal());
  const y = Array.from({ length: n }, (_, i) => [
    i % 3 === 0 ? 1 : 0,
    i % 3 === 1 ? 1 : 0,
    i % 3 === 2 ? 1 : 0,
  ]);
  const model = new Sequential({
    seed: 5,
    layers: [
      new Conv2D({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [11, 10, 3] }),
      new MaxPooling2D({ poolSize: 3, strides: 2, padding: 'same' }),
      new Conv2D({ filters: 5, kernelSize: 2, strides: 1, activation: 'relu' }),
      new AveragePooling2D({ poolSize: 2 }),
      new Flatten(),
      new Dense({ units: 3, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
  const history = await model.fit({ data: x, shape: [n, 11, 10, 3] }, y, { batchSize: 16, epochs: 4 });
  const weights = await Promise.all(model.getWeights().map((w) => w.data()));
  return { losses: history.history.loss, weights };
}

it('a seeded CNN fit on the WebAssembly kernels equals the TypeScript kernels to 1e-5', async () => {
  expect(wasmConvAvailable() && wasmPoolAvailable()).toBe(true);
  const simd = await train(true);
  const twin = await train(false);
  expect(simd.losses).toHaveLength(4);
  // It learned something, so the comparison is of a run that moved.
  expect(simd.losses[3]).toBeLessThan(simd.losses[0]);
  for (let e = 0; e < 4; e++) expect(Math.abs(simd.losses[e] - twin.losses[e])).toBeLessThan(1e-5);
  expect(simd.weights).toHaveLength(twin.weights.length);
  for (let i = 0; i < twin.weights.length; i++) {
    for (let j = 0; j < twin.weights[i].length; j++) {
      expect(Math.abs(simd.weights[i][j] - twin.weights[i][j]), `weight ${i}[${j}]`).toBeLessThan(1e-5);
    }
  }
});
