// A GPU device lost mid-training (simulated with device.destroy()): fit recovers onto a new device
// from the last completed epoch and the run finishes, saying so in its history; its checkpoints
// (read from the model's last-good state while the device is gone) resume on the CPU as well.
import { afterAll, expect, test } from 'vitest';
import { setBackend } from '../../src/backend/index';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { currentBackend } from '../../src/graph/engine';
import type { FromWorker } from '../../src/worker/protocol';
import { TrainingSession } from '../../src/worker/trainer';
import { irisRequest } from './iris-request';
import { flatten } from './messages';

afterAll(() => setBackend('cpu'));

const request = (backend: 'webgpu' | 'cpu') =>
  irisRequest({ epochs: 6, backend, units: 8, runId: 'device-loss', evaluate: false });

test('training goes on when the GPU device is lost, and its checkpoints resume on the CPU', async () => {
  const messages: FromWorker[] = [];
  let lost: WebGPUBackend | null = null;
  // Each message posted as it is made, so the device goes at the end of epoch index 2 exactly.
  const session = new TrainingSession(
    (posted) => {
      for (const m of flatten(posted)) {
        messages.push(m);
        if (m.type === 'epoch' && m.epoch === 2 && !lost) {
          lost = currentBackend() as WebGPUBackend;
          lost.device.destroy();
        }
      }
    },
    { progressIntervalMs: 0 },
  );
  await session.run(await request('webgpu'));
  const started = messages.find((m) => m.type === 'started') as Extract<FromWorker, { type: 'started' }>;
  expect(started.backend.name).toBe('webgpu');
  expect(messages.some((m) => m.type === 'error')).toBe(false);
  const finished = messages.find((m) => m.type === 'done') as Extract<FromWorker, { type: 'done' }>;
  expect(finished.history.epoch).toEqual([0, 1, 2, 3, 4, 5]);
  // The device went at the end of epoch index 2, after its state was taken: training went on at 3.
  expect(finished.history.recovered).toHaveLength(1);
  expect(finished.history.recovered?.[0].epoch).toBe(3);
  expect(finished.history.recovered?.[0].cause).toMatch(/device/i);
  expect(currentBackend()).not.toBe(lost);
  // The page hears of it as it happens, with the backend now in use.
  const recovered = messages.find((m) => m.type === 'recovered') as Extract<
    FromWorker,
    { type: 'recovered' }
  >;
  expect(recovered.info).toEqual(finished.history.recovered?.[0]);
  expect(recovered.backend.description).toBe(currentBackend().description);
  expect(messages.indexOf(recovered)).toBeLessThan(messages.indexOf(finished));
  const checkpoints = messages.filter(
    (m): m is Extract<FromWorker, { type: 'checkpoint' }> => m.type === 'checkpoint',
  );
  expect(checkpoints.map((c) => c.state.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
  const last = checkpoints[2];

  // A real resume runs in a fresh Worker; here, leave the dead device before preparing data again.
  await setBackend('cpu');
  const resumed: FromWorker[] = [];
  await new TrainingSession((m) => resumed.push(...flatten(m))).run({
    ...(await request('cpu')),
    resume: structuredClone(last.state),
  });
  const done = resumed.find((m) => m.type === 'done') as Extract<FromWorker, { type: 'done' }>;
  expect((resumed[0] as Extract<FromWorker, { type: 'started' }>).backend.name).toBe('cpu');
  expect(done.history.epoch).toEqual([0, 1, 2, 3, 4, 5]);
  expect(done.history.recovered).toBeUndefined();
  expect(done.history.history.loss.every(Number.isFinite)).toBe(true);
  expect(done.history.history.loss[5]).toBeLessThan(done.history.history.loss[0]);
});
