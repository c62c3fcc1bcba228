/**
 * The compiled training step is kept with the model between fit calls (executor.ts): a second
 * fit on the same model, optimizer and batch shape compiles and allocates nothing, continues
 * exactly where one longer fit would be, and a new compile() (or a change of batch shape) makes
 * a new step.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { useBackend } from '../../src/graph/engine';
import { Adam, type Backend, Dense, Dropout, Sequential } from '../../src/index';
import { blobs } from './helpers';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await WebGPUBackend.create();
});
afterAll(() => gpu?.destroy());

function model(): Sequential {
  const m = new Sequential({
    seed: 9,
    layers: [
      new Dense({ units: 6, activation: 'relu', inputShape: [2] }),
      new Dropout({ rate: 0.2 }),
      new Dense({ units: 2, activation: 'softmax' }),
    ],
  });
  m.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'sparseCategoricalCrossentropy' });
  return m;
}

const { x, y } = blobs(22, 4);
const fit = { batchSize: 8, seed: 1 };

async function weightsOf(m: Sequential): Promise<Float32Array[]> {
  return Promise.all(m.variables.map((v) => v.value.data()));
}

describe.each<[string, () => Backend]>([
  ['cpu', () => new CpuBackend()],
  ['webgpu', () => gpu],
])('%s: fit calls reuse the compiled step', (_name, backendOf) => {
  it('compiles once for three fit calls, and they continue one longer fit exactly', async () => {
    const backend = backendOf();
    const previous = useBackend(backend);
    const compile = vi.spyOn(backend, 'compile');
    try {
      const straight = model();
      const long = await straight.fit(x, y, { ...fit, epochs: 3 });
      compile.mockClear();
      const split = model();
      const losses: number[] = [];
      for (let epoch = 0; epoch < 3; epoch++) {
        const before = backend instanceof WebGPUBackend ? backend.counters : null;
        const h = await split.fit(x, y, { ...fit, epochs: epoch + 1, initialEpoch: epoch });
        losses.push(...h.history.loss);
        // The full batch and the last, smaller one: two steps, both compiled by the first call.
        expect(compile, `compiles after fit call ${epoch + 1}`).toHaveBeenCalledTimes(2);
        if (before && backend instanceof WebGPUBackend && epoch > 0) {
          // The weights and slots handed back to the model at an epoch end are rewritten in place.
          expect(backend.counters.buffersCreated, `buffers made by fit call ${epoch + 1}`).toBe(
            before.buffersCreated,
          );
          expect(backend.counters.pipelinesCreated).toBe(before.pipelinesCreated);
        }
      }
      expect(losses).toEqual(long.history.loss);
      expect(await weightsOf(split)).toEqual(await weightsOf(straight));
    } finally {
      compile.mockRestore();
      useBackend(previous);
    }
  });

  it('compiles again after compile() and for another batch size', async () => {
    const backend = backendOf();
    const previous = useBackend(backend);
    const compile = vi.spyOn(backend, 'compile');
    try {
      const m = model();
      await m.fit(x, y, { ...fit, epochs: 1 });
      expect(compile).toHaveBeenCalledTimes(2);
      await m.fit(x, y, { ...fit, batchSize: 11, epochs: 1 });
      expect(compile).toHaveBeenCalledTimes(3);
      m.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
      await m.fit(x, y, { ...fit, batchSize: 11, epochs: 1 });
      expect(compile).toHaveBeenCalledTimes(4);
    } finally {
      compile.mockRestore();
      useBackend(previous);
    }
  });
});
