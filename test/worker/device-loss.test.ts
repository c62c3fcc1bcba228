// A GPU device lost mid-training (simulated with device.destroy()) stops the run with a clear error,
// keeps the checkpoints already written, and the run goes on from the last one on the CPU backend.
import { afterAll, expect, test } from 'vitest';
import { setBackend } from '../../src/backend/index';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { currentBackend } from '../../src/graph/engine';
import type { FromWorker } from '../../src/worker/protocol';
import { TrainingSession } from '../../src/worker/trainer';
import { irisRequest } from './iris-request';

afterAll(() => setBackend('cpu'));

const request = (backend: 'webgpu' | 'cpu') =>
  irisRequest({ epochs: 6, backend, units: 8, runId: 'device-loss', evaluate: false });

test('training stops cleanly when the GPU device is lost, and resumes on the CPU from the last checkpoint', async () => {
  const messages: FromWorker[] = [];
  const session = new TrainingSession((m) => {
    messages.push(m);
    if (m.type === 'epoch' && m.epoch === 2) (currentBackend() as WebGPUBackend).device.destroy();
  });
  await session.run(await request('webgpu'));
  const started = messages.find((m) => m.type === 'started') as Extract<FromWorker, { type: 'started' }>;
  expect(started.backend.name).toBe('webgpu');
  const error = messages.find((m) => m.type === 'error') as Extract<FromWorker, { type: 'error' }>;
  expect(error?.message).toMatch(/device/i);
  expect(messages.some((m) => m.type === 'done')).toBe(false);
  const checkpoints = messages.filter(
    (m): m is Extract<FromWorker, { type: 'checkpoint' }> => m.type === 'checkpoint',
  );
  const last = checkpoints.at(-1)!;
  // The device went during the report of epoch index 2, before its checkpoint: the last good one is after 2 epochs.
  expect(last.state.epoch).toBe(2);

  // A real resume runs in a fresh Worker; here, leave the dead device before preparing data again.
  await setBackend('cpu');
  const resumed: FromWorker[] = [];
  await new TrainingSession((m) => resumed.push(m)).run({
    ...(await request('cpu')),
    resume: structuredClone(last.state),
  });
  const done = resumed.find((m) => m.type === 'done') as Extract<FromWorker, { type: 'done' }>;
  expect((resumed[0] as Extract<FromWorker, { type: 'started' }>).backend.name).toBe('cpu');
  expect(done.history.epoch).toEqual([0, 1, 2, 3, 4, 5]);
  expect(done.history.history.loss.every(Number.isFinite)).toBe(true);
  expect(done.history.history.loss[5]).toBeLessThan(done.history.history.loss[0]);
});
