/**
 * The recovery handler (src/backend/recovery.ts, reached through graph/engine's recoverBackend):
 * a new device made with the failed backend's options, waited for a bounded time, else the CPU,
 * with the cause recorded for getBackendInfo().
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import { getBackendInfo } from '../../src/backend/index';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { DeviceLostError } from '../../src/errors';
import { currentBackend, recoverBackend, useBackend, withBackend } from '../../src/graph/engine';
import { add, tensor } from '../../src/index';
import { DeviceFaults } from './faulty-device';

const made: WebGPUBackend[] = [];
const previous = currentBackend();
afterEach(() => {
  useBackend(previous);
  for (const b of made.splice(0)) b.destroy();
});

async function lostBackend(faults: DeviceFaults, options = {}): Promise<WebGPUBackend> {
  const backend = await WebGPUBackend.create({ ...options, wrapDevice: faults.wrap });
  made.push(backend);
  faults.arm({ kind: 'lose-device', at: 1 });
  await expect(withBackend(backend, () => tensor([1], [1])).data()).rejects.toThrow(DeviceLostError);
  await faults.devices.at(-1)!.lost;
  expect(backend.state).toBe('lost');
  return backend;
}

describe('recovering from a lost WebGPU device', () => {
  it('makes a new device with the options the failed backend was made with, and records the cause', async () => {
    const faults = new DeviceFaults();
    const options = { matmulVariant: 'tiled' as const, elementsPerThread: 4, workgroupSize: 128 };
    const failed = await lostBackend(faults, options);
    const next = await recoverBackend(failed, failed.error!);
    expect(next).toBeInstanceOf(WebGPUBackend);
    made.push(next as WebGPUBackend);
    expect(currentBackend()).toBe(next);
    const gpu = next as WebGPUBackend;
    expect(gpu.env).toMatchObject({ matmulVariant: 'tiled', elementsPerThread: 4, workgroupSize: 128 });
    // The same options, the test's device wrapper included: the new device is wrapped too.
    expect(faults.devices).toHaveLength(2);
    expect(gpu.device).not.toBe(failed.device);
    expect(Array.from(await add(tensor([1, 2], [2]), tensor([3, 4], [2])).data())).toEqual([4, 6]);
    const info = getBackendInfo();
    expect(info).toMatchObject({ name: 'webgpu', state: 'ready' });
    expect(info.recovered).toMatchObject({
      from: failed.description,
      to: gpu.description,
      causeName: 'DeviceLostError',
      cause: failed.error!.message,
    });
    expect(info.recovered?.fallbackReason).toBeUndefined();
  });

  it('waits a bounded time for a device, then goes on with the CPU and says why', async () => {
    const base = await WebGPUBackend.create();
    made.push(base);
    // A GPU whose adapter never comes, as during a driver reset.
    const hanging = { requestAdapter: () => new Promise<never>(() => undefined) } as unknown as GPU;
    const failed = new WebGPUBackend(base.context, { gpu: hanging, timeoutMs: 300 });
    const cause = new DeviceLostError('test: the device went away');
    const started = Date.now();
    const next = await recoverBackend(failed, cause);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(next).toBeInstanceOf(CpuBackend);
    expect(Array.from(await tensor([5], [1]).data())).toEqual([5]);
    const info = getBackendInfo();
    expect(info.name).toBe('cpu');
    expect(info.fallbackReason).toMatch(/no WebGPU device came within 300 ms; running on the CPU backend/);
    expect(info.recovered).toMatchObject({ to: next.description, causeName: 'DeviceLostError' });
    expect(info.recovered?.fallbackReason).toBe(info.fallbackReason);
  });

  it('two callers that saw one loss get one replacement', async () => {
    const faults = new DeviceFaults();
    const failed = await lostBackend(faults);
    const [a, b] = await Promise.all([
      recoverBackend(failed, failed.error!),
      recoverBackend(failed, failed.error!),
    ]);
    made.push(a as WebGPUBackend);
    expect(a).toBe(b);
    expect(faults.devices).toHaveLength(2);
  });
});
