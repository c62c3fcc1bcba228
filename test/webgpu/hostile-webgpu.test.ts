/**
 * WebGPU (Dawn in Node; SwiftShader where there is no GPU) under calls that used to exhaust or
 * confuse it: reads of many distinct sizes (the staging pool kept one buffer per size forever), a
 * layer larger than the adapter binds, and a model built on the CPU then trained on WebGPU.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stagingSize } from '../../src/backend/webgpu/buffers';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { useBackend } from '../../src/graph/engine';
import { CpuBackend, Dense, OutOfMemoryError, Sequential, tensor } from '../../src/index';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await WebGPUBackend.create();
});
afterAll(() => gpu?.destroy());

function onGpu<T>(fn: () => Promise<T>): Promise<T> {
  const previous = useBackend(gpu);
  return fn().finally(() => useBackend(previous));
}

describe('the readback staging pool is bounded', () => {
  it('sizes share a buffer per size class (at most 25% larger than the read)', () => {
    for (let bytes = 4; bytes < 1 << 22; bytes = Math.ceil(bytes * 1.07) * 4) {
      const size = stagingSize(bytes);
      expect(size).toBeGreaterThanOrEqual(bytes);
      expect(size).toBeLessThanOrEqual(Math.max(256, bytes * 1.25));
    }
  });

  it('reading tensors of 1..1,500 floats keeps a few dozen staging buffers, and every value right', async () => {
    await onGpu(async () => {
      for (let n = 1; n <= 1500; n++) {
        const values = await tensor(
          Float32Array.from({ length: n }, (_, i) => i + n),
          [n],
        ).data();
        if (values.length !== n || values[n - 1] !== 2 * n - 1 || values[0] !== n)
          throw new Error(`read of ${n} wrong`);
      }
    });
    const { buffers } = gpu.buffers.stagingStats();
    expect(buffers).toBeGreaterThan(0);
    expect(buffers).toBeLessThanOrEqual(40);
  });

  it('past the pool bytes the least recently used buffers are destroyed', async () => {
    const limit = 64 * 1024;
    gpu.buffers.stagingPoolBytes = limit;
    try {
      await onGpu(async () => {
        const reads = [];
        // Many reads in flight at once hold many staging buffers; once they return, the pool trims.
        for (let n = 2000; n < 16000; n += 500) reads.push(tensor(new Float32Array(n).fill(n), [n]).data());
        const all = await Promise.all(reads);
        expect(all.map((v) => v[v.length - 1])).toEqual(all.map((_, i) => 2000 + 500 * i));
      });
      expect(gpu.buffers.stagingStats().bytes).toBeLessThanOrEqual(limit);
    } finally {
      gpu.buffers.stagingPoolBytes = 64 * 1024 * 1024;
    }
  });
});

describe('sizes checked against the adapter before allocating', () => {
  it('a Dense kernel over maxStorageBufferBindingSize is an OutOfMemoryError naming it', async () => {
    const { maxStorageBufferBindingSize, maxBufferSize } = gpu.device.limits;
    const limit = Math.min(maxStorageBufferBindingSize, maxBufferSize);
    const units = Math.floor(limit / 4 / 1024) + 1;
    await onGpu(async () => {
      let error: unknown = null;
      try {
        new Sequential([new Dense({ units, inputShape: [1024], name: 'wide' })]);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(OutOfMemoryError);
      const fault = (error as OutOfMemoryError).fault;
      expect(fault).toMatchObject({
        layer: 'wide',
        tensor: 'kernel',
        shape: [1024, units],
        bytes: 1024 * units * 4,
        limit,
      });
      expect((error as Error).message).toContain(
        `${maxStorageBufferBindingSize <= maxBufferSize ? 'maxStorageBufferBindingSize' : 'maxBufferSize'} of ${gpu.description}`,
      );
    });
    // The backend is untouched: small work still runs.
    await onGpu(async () => expect(Array.from(await tensor([1, 2], [2]).data())).toEqual([1, 2]));
  });
});

describe('a model built on the CPU, trained after switching to WebGPU', () => {
  function build(): Sequential {
    const m = new Sequential({
      seed: 3,
      layers: [
        new Dense({ units: 6, activation: 'relu', inputShape: [4] }),
        new Dense({ units: 3, activation: 'softmax' }),
      ],
    });
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    return m;
  }
  const x = Array.from({ length: 24 }, (_, i) => [Math.sin(i), Math.cos(i), (i % 5) / 5, 1]);
  const y = Array.from({ length: 24 }, (_, i) => i % 3);

  it('works: its weights and optimizer slots move to WebGPU, and it trains as one built there', async () => {
    const cpu = new CpuBackend();
    const previous = useBackend(cpu);
    const fromCpu = build();
    await fromCpu.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false }); // slots now live on the CPU
    useBackend(previous);
    const onGpuFromStart = await onGpu(async () => {
      const m = build();
      await m.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false, executor: 'eager' });
      return m;
    });
    const [a, b] = await onGpu(async () => [
      await fromCpu.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, executor: 'eager' }),
      await onGpuFromStart.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, executor: 'eager' }),
    ]);
    for (const v of fromCpu.variables) expect(v.value.backend).toBe(gpu);
    for (const [i, loss] of a.history.loss.entries()) expect(loss).toBeCloseTo(b.history.loss[i], 4);
    expect(fromCpu.compiled!.optimizer.iterations).toBe(9);
  });
});
