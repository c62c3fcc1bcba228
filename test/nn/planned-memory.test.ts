/**
 * GPU memory of fit on the planned WebGPU step across epochs: after the first epoch nothing is
 * allocated (the weights and slots handed to the model at each epoch end are rewritten in place),
 * while copies from getWeights and tensors a callback assigned to the weights keep their values.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { useBackend } from '../../src/graph/engine';
import { Adam, Callback, Dense, Sequential, type Tensor, tensor } from '../../src/index';
import { blobs } from './helpers';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await WebGPUBackend.create();
});
afterAll(() => gpu?.destroy());

function model(): Sequential {
  const m = new Sequential({
    seed: 5,
    layers: [
      new Dense({ units: 6, activation: 'relu', inputShape: [2] }),
      new Dense({ units: 2, activation: 'softmax' }),
    ],
  });
  m.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'sparseCategoricalCrossentropy' });
  return m;
}

/** Runs `fn` at every epoch end. */
class AtEpochEnd extends Callback {
  constructor(private readonly fn: (epoch: number) => void | Promise<void>) {
    super();
  }
  override onEpochEnd(epoch: number): void | Promise<void> {
    return this.fn(epoch);
  }
}

it('allocates nothing on the GPU after the first epoch of a planned fit', async () => {
  useBackend(gpu);
  const { x, y } = blobs(20, 7);
  const seen: { buffers: number; bytes: number }[] = [];
  const count = new AtEpochEnd(() => {
    seen.push({ buffers: gpu.counters.buffersCreated, bytes: gpu.counters.bytesAllocated });
  });
  const m = model();
  const history = await m.fit(x, y, { batchSize: 8, epochs: 5, executor: 'planned', callbacks: [count] });
  expect(history.history.loss.at(-1)).toBeLessThan(history.history.loss[0]);
  expect(seen).toHaveLength(5);
  for (let e = 1; e < 5; e++) expect(seen[e], `counters after epoch ${e + 1}`).toEqual(seen[0]);
});

it('leaves getWeights copies and tensors a callback assigned as they were', async () => {
  useBackend(gpu);
  const { x, y } = blobs(20, 8);
  const m = model();
  const copies: Tensor[][] = [];
  const copyValues: Float32Array[][] = [];
  let assigned: Tensor[] = [];
  const assignedValues: number[][] = m.variables.map((v) =>
    Array.from({ length: v.shape.reduce((a, b) => a * b, 1) }, (_, i) => 0.01 * (i + 1)),
  );
  const callback = new AtEpochEnd(async (epoch) => {
    const weights = m.getWeights();
    copies.push(weights);
    copyValues.push(await Promise.all([...weights.values()].map((t) => t.data())));
    // After epoch 2 the model trains on from the caller's own tensors, assigned directly (setWeights
    // would copy them); the next epoch's end must give the model new storage, not write into them.
    if (epoch === 1) {
      assigned = m.variables.map((v, j) => tensor(assignedValues[j], v.shape));
      m.variables.forEach((v, j) => {
        v.value = assigned[j];
      });
    }
  });
  await m.fit(x, y, { batchSize: 8, epochs: 4, executor: 'planned', callbacks: [callback] });
  for (const [e, weights] of copies.entries()) {
    const now = await Promise.all([...weights.values()].map((t) => t.data()));
    expect(now, `getWeights after epoch ${e + 1}`).toEqual(copyValues[e]);
  }
  for (const [j, t] of assigned.entries()) {
    expect(Array.from(await t.data()), `assigned ${m.variables[j].name}`).toEqual(
      Array.from(Float32Array.from(assignedValues[j])),
    );
    expect(m.variables[j].value).not.toBe(t);
  }
  // The model trained on from the assigned weights, in storage of its own.
  const final = await Promise.all(m.variables.map((v) => v.value.data()));
  expect(final).not.toEqual(assignedValues.map((a) => Float32Array.from(a)));
});
