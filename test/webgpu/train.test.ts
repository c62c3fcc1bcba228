import { afterAll, beforeAll, expect, it } from 'vitest';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { cpu, createGpu } from './harness';
import { mlpInit, trainEagerly } from './mlp';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await createGpu();
});
afterAll(() => gpu?.destroy());

const STEPS = 20;

it('a small MLP trains for 20 steps to the same losses on WebGPU and on the CPU', async () => {
  const init = mlpInit();
  const onGpu = (await trainEagerly(gpu, init, STEPS)).losses;
  const onCpu = (await trainEagerly(cpu, init, STEPS)).losses;
  for (let s = 0; s < STEPS; s++) {
    expect(
      Math.abs(onGpu[s] - onCpu[s]) / Math.abs(onCpu[s]),
      `step ${s}: ${onGpu[s]} vs ${onCpu[s]}`,
    ).toBeLessThan(1e-4);
  }
  // It learned: the loss fell.
  expect(onGpu[STEPS - 1]).toBeLessThan(onGpu[0] * 0.9);
  expect(gpu.error).toBeNull();
});
