/**
 * The WebGPU backend under injected faults (Dawn on SwiftShader in Node): a failed allocation or
 * submit spoils what it would have made and nothing else; only the device's loss ends the backend,
 * and getBackendInfo says so.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getBackendInfo, setBackend } from '../../src/backend/index';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { DeviceAllocationError, DeviceLostError, OutOfMemoryError } from '../../src/errors';
import { currentBackend, useBackend, withBackend } from '../../src/graph/engine';
import { add, Dense, exportModelWeights, mul, Sequential, scalar, tensor, zeros } from '../../src/index';
import { DeviceFaults } from './faulty-device';

let faults: DeviceFaults;
let gpu: WebGPUBackend;
beforeAll(async () => {
  faults = new DeviceFaults();
  gpu = await WebGPUBackend.create({ wrapDevice: faults.wrap });
});
afterAll(() => gpu?.destroy());
afterEach(() => faults.disarm());

const on = <T>(f: () => T): T => withBackend(gpu, f);

/** Runs async work with `gpu` current throughout (fit trains on the current backend). */
async function onGpu<T>(f: () => Promise<T>): Promise<T> {
  const previous = useBackend(gpu);
  try {
    return await f();
  } finally {
    useBackend(previous);
  }
}

/** A 1-element add and a read: what the issue found broken after one failed allocation. */
async function stillWorks(backend: WebGPUBackend): Promise<void> {
  const one = withBackend(backend, () => add(tensor([1], [1]), tensor([2], [1])));
  expect(Array.from(await one.data())).toEqual([3]);
  expect(backend.state).toBe('ready');
}

function smallModel(): Sequential {
  const m = new Sequential({
    seed: 5,
    layers: [new Dense({ units: 4, activation: 'relu', inputShape: [3] }), new Dense({ units: 2 })],
  });
  m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  return m;
}

describe('an allocation the device refuses', () => {
  it('fails that tensor only, naming it and its size, and the backend goes on', async () => {
    const fired = faults.fired.length;
    faults.arm({ kind: 'fail-allocation', at: 1 });
    const refused = on(() => zeros([1000]));
    expect(faults.fired).toHaveLength(fired + 1);
    const sum = on(() => add(refused, scalar(1)));
    const error = await refused.data().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceAllocationError);
    expect((error as Error).message).toContain('tensor [1000]');
    expect((error as Error).message).toContain('(4000 bytes)');
    // Work issued before the failure was known fails with it; work issued after refuses at once.
    await expect(sum.data()).rejects.toThrow(DeviceAllocationError);
    expect(() => on(() => mul(refused, refused))).toThrow(/input 0 \[1000\] holds no values/);
    await stillWorks(gpu);
  });

  it('an op whose output cannot be allocated fails alone; its inputs stay readable', async () => {
    const x = on(() => tensor([1, 2, 3], [3]));
    faults.arm({ kind: 'fail-allocation', at: 1 });
    const y = on(() => mul(x, x));
    await expect(y.data()).rejects.toThrow(/could not allocate mul \[3\]/);
    expect(Array.from(await x.data())).toEqual([1, 2, 3]);
    await stillWorks(gpu);
  });

  it('a model keeps working: predict, getWeights().data() and exportWeights after a refused allocation', async () => {
    const model = on(() => smallModel());
    const x = [
      [1, 2, 3],
      [0, 1, 0],
    ];
    const before = Array.from(await (await onGpu(() => model.predict(x))).data());
    faults.arm({ kind: 'fail-allocation', at: 1 });
    await expect(on(() => zeros([64])).data()).rejects.toThrow(DeviceAllocationError);
    const again = await (await onGpu(() => model.predict(x))).data();
    expect(Array.from(again)).toEqual(before);
    const kernel = await model.getWeights()[0].data();
    expect(kernel).toHaveLength(12);
    const file = await exportModelWeights(model);
    expect(file.byteLength).toBeGreaterThan(12 * 4);
    await stillWorks(gpu);
  });

  it('a size over the device limit is an OutOfMemoryError before anything is asked of the device', async () => {
    const { maxBufferSize, maxStorageBufferBindingSize } = gpu.device.limits;
    const limit = Math.min(maxBufferSize, maxStorageBufferBindingSize);
    const elements = limit / 4 + 1;
    const created = faults.counts.createBuffer;
    let error: unknown = null;
    try {
      on(() => zeros([elements]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect((error as OutOfMemoryError).fault).toMatchObject({ bytes: elements * 4, limit });
    expect((error as Error).message).toContain(`tensor [${elements}]`);
    expect(faults.counts.createBuffer).toBe(created);
    await stillWorks(gpu);
  });
});

describe('a submit the device refuses', () => {
  it('an op whose submit fails gives an error on its read; later ops work', async () => {
    const x = on(() => tensor([4, 5], [2]));
    await x.data();
    faults.arm({ kind: 'fail-submit', at: 1 });
    const y = on(() => add(x, x));
    await expect(y.data()).rejects.toThrow(/rejected the work that makes add \[2\]/);
    expect(Array.from(await x.data())).toEqual([4, 5]);
    await stillWorks(gpu);
  });

  it("a compiled step's refused submit: fit goes on from the last-good state, and the device stays usable", async () => {
    const model = on(() => smallModel());
    const x = [
      [1, 2, 3],
      [0, 1, 0],
      [2, 0, 1],
      [1, 1, 1],
    ];
    const y = [
      [1, 0],
      [0, 1],
      [1, 1],
      [0, 0],
    ];
    await onGpu(() => model.fit(x, y, { epochs: 1, batchSize: 2, shuffle: false }));
    // The plan's buffers exist now: its later steps are unchecked submits, so Dawn's refusal
    // arrives as an uncaptured error, reported by that step's readback.
    const fired = faults.fired.length;
    faults.arm({ kind: 'fail-submit', at: 2, on: 'step' });
    const history = await onGpu(() => model.fit(x, y, { epochs: 1, batchSize: 2, shuffle: false }));
    expect(faults.fired).toHaveLength(fired + 1);
    expect(history.recovered).toHaveLength(1);
    expect(history.recovered[0].cause).toMatch(/rejected work/);
    expect(Number.isFinite(history.history.loss[0])).toBe(true);
    await stillWorks(gpu);
  });
});

describe('device loss', () => {
  it('marks the backend lost for good, getBackendInfo says so, and setBackend gets a new device', async () => {
    const own = new DeviceFaults();
    const doomed = await WebGPUBackend.create({ wrapDevice: own.wrap });
    const kept = await withBackend(doomed, () => tensor([1, 2], [2])).data();
    const previous = useBackend(doomed);
    try {
      expect(getBackendInfo().state).toBe('ready');
      own.arm({ kind: 'lose-device', at: 1 });
      const lostRead = withBackend(doomed, () => add(tensor(kept, [2]), scalar(1))).data();
      await expect(lostRead).rejects.toThrow(DeviceLostError);
      await own.devices[0].lost;
      expect(doomed.state).toBe('lost');
      const info = getBackendInfo();
      expect(info).toMatchObject({ name: 'webgpu', state: 'lost' });
      expect(info.lostReason).toMatch(/lost \(destroyed\)/);
      expect(() => withBackend(doomed, () => tensor([1], [1]))).toThrow(DeviceLostError);
      const fresh = await setBackend('webgpu');
      expect(fresh.state).toBe('ready');
      expect(currentBackend()).not.toBe(doomed);
      await stillWorks(currentBackend() as WebGPUBackend);
      (currentBackend() as WebGPUBackend).destroy();
    } finally {
      useBackend(previous);
    }
  });
});
