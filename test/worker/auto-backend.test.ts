// The training Worker's session with backend 'auto' (the page's default): 'started' reports what
// fit picked for the model and why, so the page can show it, and the run trains there.
import { afterEach, expect, test } from 'vitest';
import { setBackend } from '../../src/backend/index';
import type { FromWorker } from '../../src/worker/protocol';
import { TrainingSession } from '../../src/worker/trainer';
import { irisRequest } from './iris-request';
import { flatten } from './messages';

afterEach(async () => {
  await setBackend('cpu');
});

test("a run asked for on 'auto' reports the pick and its reason in 'started', then trains", async () => {
  const messages: FromWorker[] = [];
  await new TrainingSession((m) => messages.push(...flatten(m))).run(
    await irisRequest({ epochs: 2, backend: 'auto' }),
  );
  expect(messages.find((m) => m.type === 'error')).toBeUndefined();
  const started = messages[0] as Extract<FromWorker, { type: 'started' }>;
  expect(started.type).toBe('started');
  const { choice } = started.backend;
  expect(started.backend.mode).toBe('auto');
  expect(choice?.timings.map((t) => t.name).sort()).toEqual(['cpu', 'webgpu']);
  expect(started.backend.name).toBe(choice?.picked);
  expect(choice?.reason).toMatch(/^(CPU|WebGPU): [\d.]+x faster than (CPU|WebGPU) .*for this model/);
  const done = messages.find((m) => m.type === 'done') as Extract<FromWorker, { type: 'done' }>;
  expect(done.history.history.loss).toHaveLength(2);
});
