/**
 * evaluate and predict on compiled inference steps (src/nn/model/inference.ts): the numbers of the
 * eager forward pass, batch by batch, on the CPU and on WebGPU; the steps kept with the model and
 * compiled once across calls, seeing the weights as they are at each call.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { tensor, useBackend } from '../../src/graph/engine';
import {
  type Backend,
  BatchNormalization,
  concat,
  Dense,
  Dropout,
  mean,
  Sequential,
  type Tensor,
} from '../../src/index';
import { blobs } from './helpers';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await WebGPUBackend.create();
});
afterAll(() => gpu?.destroy());

function model(): Sequential {
  const m = new Sequential({
    seed: 6,
    layers: [
      new Dense({ units: 5, activation: 'relu', inputShape: [2] }),
      new BatchNormalization({}),
      new Dropout({ rate: 0.5 }),
      new Dense({ units: 2, activation: 'softmax' }),
    ],
  });
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

const { x, y } = blobs(13, 2);
const batchSize = 5;

/** The eager reference: predictions and the batch-mean loss summed over batches, as evaluate does. */
async function eagerReference(m: Sequential) {
  const batches: Tensor[] = [];
  let lossSum = 0;
  for (let start = 0; start < x.length; start += batchSize) {
    const end = Math.min(start + batchSize, x.length);
    const xb = tensor(x.slice(start, end).flat(), [end - start, 2]);
    const yb = tensor(y.slice(start, end), [end - start]);
    const p = m.apply(xb, { training: false });
    batches.push(p);
    lossSum += (await mean(m.compiled!.loss.perSample(yb, p)).item()) * (end - start);
  }
  return { predictions: await concat(batches, 0).data(), loss: lossSum / x.length };
}

describe.each<[string, () => Backend]>([
  ['cpu', () => new CpuBackend()],
  ['webgpu', () => gpu],
])('%s: compiled evaluate and predict', (_name, backendOf) => {
  it('compute what the eager forward pass computes, compiled once across calls', async () => {
    const backend = backendOf();
    const previous = useBackend(backend);
    const compile = vi.spyOn(backend, 'compile');
    try {
      const m = model();
      const reference = await eagerReference(m);
      compile.mockClear();
      const predicted = await m.predict(x, { batchSize });
      expect(await predicted.data()).toEqual(reference.predictions);
      const logs = await m.evaluate(x, y, { batchSize, returnDict: true });
      expect(logs.loss).toBe(reference.loss);
      // The full batch and the last, smaller one, for predict and for evaluate.
      expect(compile).toHaveBeenCalledTimes(4);
      await m.predict(x, { batchSize });
      expect((await m.evaluate(x, y, { batchSize, returnDict: true })).loss).toBe(reference.loss);
      expect(compile).toHaveBeenCalledTimes(4);
      // Training changes the weights; the kept steps read them at the next call.
      await m.fit(x, y, { batchSize, epochs: 2, executor: 'eager' });
      const after = await eagerReference(m);
      expect(after.loss).not.toBe(reference.loss);
      expect((await m.evaluate(x, y, { batchSize, returnDict: true })).loss).toBe(after.loss);
      expect(await (await m.predict(x, { batchSize })).data()).toEqual(after.predictions);
      expect(compile).toHaveBeenCalledTimes(4);
    } finally {
      compile.mockRestore();
      useBackend(previous);
    }
  });
});
