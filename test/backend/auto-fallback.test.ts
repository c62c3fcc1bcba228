/**
 * setBackend('auto') where WebGPU cannot be had: the CPU is picked, with the reason, and nothing
 * is timed. Its own file, so the WebGPU backend auto keeps from other tests is not there.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { getBackendInfo, setBackend } from '../../src/backend/index';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { BackendError } from '../../src/errors';
import { Dense } from '../../src/nn/layers/index';
import { Sequential } from '../../src/nn/model/sequential';

afterEach(async () => {
  vi.restoreAllMocks();
  await setBackend('cpu');
});

it('picks the CPU, saying why, where WebGPU cannot be had', async () => {
  const create = vi
    .spyOn(WebGPUBackend, 'create')
    .mockRejectedValue(
      new BackendError('WebGPU is unavailable: no WebGPU adapter was found (requestAdapter returned null)'),
    );
  const compile = vi.spyOn(WebGPUBackend.prototype, 'compile');
  expect(await setBackend('auto')).toMatchObject({ name: 'cpu', mode: 'auto' });
  const model = new Sequential({
    layers: [new Dense({ units: 8, activation: 'relu', inputShape: [4] }), new Dense({ units: 1 })],
  });
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const x = Array.from({ length: 20 }, (_, i) => [i, 1, -i, 0.5].map((v) => v / 20));
  const y = x.map((r) => [r[0] - r[2]]);
  const h = await model.fit(x, y, { batchSize: 8, epochs: 2 });
  expect(h.history.loss).toHaveLength(2);
  const info = getBackendInfo();
  expect(info.name).toBe('cpu');
  expect(info.choice).toMatchObject({
    picked: 'cpu',
    reason: 'CPU: WebGPU is unavailable: no WebGPU adapter was found (requestAdapter returned null)',
    timings: [],
    rows: 0,
    cached: false,
  });
  expect(info.choice!.key.startsWith('no WebGPU\n')).toBe(true);
  expect(model.getWeights()[0].backend.name).toBe('cpu');
  expect(create).toHaveBeenCalledTimes(1);
  expect(compile).not.toHaveBeenCalled();
});

it("leaves auto mode on setBackend('cpu'): getBackendInfo no longer reports a choice", async () => {
  vi.spyOn(WebGPUBackend, 'create').mockRejectedValue(new BackendError('WebGPU is unavailable: test'));
  await setBackend('auto');
  const info = await setBackend('cpu');
  expect(info.mode).toBeUndefined();
  expect(info.choice).toBeUndefined();
});
