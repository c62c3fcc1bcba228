/**
 * Weights files and training states on the WebGPU backend (Dawn in Node; SwiftShader where there is
 * no GPU), where tensors can only be read asynchronously: export, loadModel and a resumed run
 * behave as on the CPU, and a state captured on the GPU restores on the CPU with the same weights.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { useBackend } from '../../src/graph/engine';
import {
  type Backend,
  CpuBackend,
  captureTrainingState,
  loadModel,
  restoreTrainingState,
} from '../../src/index';
import { exportModelWeights } from '../../src/io/model-io';
import { classes, compiledMlp, predictionBits, randomBatch, weightValues } from './models';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await WebGPUBackend.create();
});
afterAll(() => gpu?.destroy());

async function on<T>(backend: Backend, fn: () => Promise<T>): Promise<T> {
  const previous = useBackend(backend);
  try {
    return await fn();
  } finally {
    useBackend(previous);
  }
}

const data = classes(24, 8);
const fitOptions = { batchSize: 8 };

describe('on WebGPU', () => {
  it('exportWeights and loadModel give bit-identical predictions', async () => {
    await on(gpu, async () => {
      const model = compiledMlp(2);
      await model.fit(data.x, data.y, { ...fitOptions, epochs: 2 });
      const loaded = loadModel(await exportModelWeights(model));
      expect(loaded.variables[0].value.backend).toBe(gpu);
      const x = randomBatch([5, 4], 4);
      expect(await predictionBits(loaded, x)).toEqual(await predictionBits(model, x));
    });
  });

  it('2 epochs, capture, restore, 2 more = 4 straight; the state also restores on the CPU', async () => {
    await on(gpu, async () => {
      const straightModel = compiledMlp(5);
      const straight = await straightModel.fit(data.x, data.y, { ...fitOptions, epochs: 4 });
      const first = compiledMlp(5);
      const history = await first.fit(data.x, data.y, { ...fitOptions, epochs: 2 });
      const state = structuredClone(await captureTrainingState(first, { epoch: 2, history }));

      const restored = restoreTrainingState(state);
      const resumed = await restored.model.fit(data.x, data.y, {
        ...fitOptions,
        epochs: 4,
        initialEpoch: restored.initialEpoch,
        history: restored.history,
      });
      expect(resumed.toJSON()).toEqual(straight.toJSON());
      expect(await weightValues(restored.model)).toEqual(await weightValues(straightModel));

      const onCpu = await on(new CpuBackend(), async () => restoreTrainingState(state).model);
      expect(onCpu.variables[0].value.backend).not.toBe(gpu);
      expect(await weightValues(onCpu)).toEqual(await weightValues(first));
    });
  });
});
