/**
 * The same model trained from the same seed on the CPU and on WebGPU (Dawn in Node; SwiftShader on
 * machines without a GPU) gives the same History to 1e-4 relative: fit, the layers, the losses and
 * the optimizers only use engine ops, so the backend changes nothing but rounding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { useBackend } from '../../src/graph/engine';
import {
  Adam,
  type Backend,
  BatchNormalization,
  Conv2D,
  CpuBackend,
  Dense,
  Dropout,
  Flatten,
  type History,
  type Layer,
  MaxPooling2D,
  type Optimizer,
  Sequential,
  SGD,
} from '../../src/index';
import { blobs } from './helpers';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await WebGPUBackend.create();
});
afterAll(() => gpu?.destroy());

/** Builds and trains on `backend` (fit is asynchronous, so the backend is switched around it). */
async function trainOn(
  backend: Backend,
  layers: () => Layer[],
  optimizer: () => Optimizer,
  x: { data: Float32Array; shape: number[] } | number[][],
  y: number[],
  loss: 'binaryCrossentropy' | 'sparseCategoricalCrossentropy',
): Promise<{ history: History; predictions: Float32Array }> {
  const previous = useBackend(backend);
  try {
    const model = new Sequential({ seed: 3, layers: layers() });
    model.compile({ optimizer: optimizer(), loss, metrics: ['accuracy'] });
    const history = await model.fit(x, y, { epochs: 3, batchSize: 16, validationSplit: 0.25, seed: 4 });
    return { history, predictions: await (await model.predict(x)).data() };
  } finally {
    useBackend(previous);
  }
}

function expectSameHistory(a: History, b: History): void {
  expect(Object.keys(b.history).sort()).toEqual(Object.keys(a.history).sort());
  for (const [key, values] of Object.entries(a.history)) {
    values.forEach((v, i) => {
      const w = b.history[key][i];
      expect(
        Math.abs(v - w) / Math.max(Math.abs(v), 1e-3),
        `${key}[${i}]: cpu ${v} vs webgpu ${w}`,
      ).toBeLessThan(1e-4);
    });
  }
}

describe('CPU and WebGPU give the same History', () => {
  it('an MLP with BatchNormalization and Dropout, Adam', async () => {
    const { x, y } = blobs(64, 1);
    const layers = () => [
      new Dense({ units: 16, activation: 'relu', inputShape: [2] }),
      new BatchNormalization({ momentum: 0.9 }),
      new Dropout({ rate: 0.25 }),
      new Dense({ units: 1, activation: 'sigmoid' }),
    ];
    const optimizer = () => new Adam({ learningRate: 0.01 });
    const cpu = await trainOn(new CpuBackend(), layers, optimizer, x, y, 'binaryCrossentropy');
    const webgpu = await trainOn(gpu, layers, optimizer, x, y, 'binaryCrossentropy');
    expectSameHistory(cpu.history, webgpu.history);
    webgpu.predictions.forEach((p, i) => {
      expect(Math.abs(p - cpu.predictions[i])).toBeLessThan(1e-4);
    });
  });

  it('a small CNN, SGD with momentum', async () => {
    const n = 32;
    const data = new Float32Array(n * 36);
    const labels: number[] = [];
    for (let s = 0; s < n; s++) {
      const c = s % 3;
      for (let i = 0; i < 36; i++)
        data[s * 36 + i] = Math.sin(s * 7 + i) * 0.3 + (Math.floor(i / 6) === c * 2 ? 1 : 0);
      labels.push(c);
    }
    const x = { data, shape: [n, 6, 6, 1] };
    const layers = () => [
      new Conv2D({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [6, 6, 1] }),
      new MaxPooling2D({ poolSize: 2 }),
      new Flatten(),
      new Dense({ units: 3, activation: 'softmax' }),
    ];
    const optimizer = () => new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true });
    const cpu = await trainOn(
      new CpuBackend(),
      layers,
      optimizer,
      x,
      labels,
      'sparseCategoricalCrossentropy',
    );
    const webgpu = await trainOn(gpu, layers, optimizer, x, labels, 'sparseCategoricalCrossentropy');
    expectSameHistory(cpu.history, webgpu.history);
  });
});
