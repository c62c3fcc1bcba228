import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBackendInfo, setBackend } from '../../src/backend/index';
import { ShaderCompileError } from '../../src/backend/webgpu/pipelines';
import { DeviceLostError, type WebGPUBackend, workgroupGrid } from '../../src/backend/webgpu/webgpu-backend';
import { currentBackend, tensor, withBackend } from '../../src/graph/engine';
import * as ops from '../../src/graph/ops';
import { createGpu } from './harness';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await createGpu();
});
afterAll(() => gpu?.destroy());

describe('WebGPU runtime', () => {
  it('acquires a real adapter and says which', () => {
    expect(gpu.description).toMatch(/^WebGPU \(.+\)$/);
    expect(gpu.device.limits.maxComputeWorkgroupSizeX).toBeGreaterThanOrEqual(64);
  });

  it("asks for the adapter's limits, not the defaults", () => {
    const limits = gpu.context.adapterLimits;
    expect(Object.keys(limits).length).toBeGreaterThan(10);
    const device = gpu.device.limits as unknown as Record<string, number>;
    for (const [name, value] of Object.entries(limits)) expect(device[name], name).toBe(value);
  });

  it('destroys the buffers of tensors nobody holds any more', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const before = gpu.counters.buffersReleased;
    withBackend(gpu, () => {
      for (let i = 0; i < 50; i++) ops.neg(tensor([i, i + 1], [2]));
    });
    for (let round = 0; round < 20 && gpu.counters.buffersReleased - before < 50; round++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // 50 inputs and 50 outputs were unreachable; most at least must have been released.
    expect(gpu.counters.buffersReleased - before).toBeGreaterThanOrEqual(50);
  });

  it('reports a shader compile error with file, line, column and the source line', async () => {
    const code = 'fn main() {\n  let a = 1;\n  let b = a +* 2;\n}\n';
    const error = await gpu.checkShader({ name: 'broken.wgsl', code }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShaderCompileError);
    const message = (error as Error).message;
    expect(message).toMatch(/broken\.wgsl:3:\d+: error: /);
    expect(message).toContain('let b = a +* 2;');
    // A failed check does not poison the backend.
    expect(gpu.error).toBeNull();
  });

  it('caches pipelines by source and constants: a repeated op creates none', async () => {
    const a = withBackend(gpu, () => tensor([1, 2, 3], [3]));
    await withBackend(gpu, () => ops.add(a, a)).data();
    const before = gpu.counters.pipelinesCreated;
    await withBackend(gpu, () => ops.add(ops.add(a, a), a)).data();
    expect(gpu.counters.pipelinesCreated).toBe(before);
    // Same WGSL file, different override constant (OP): a different pipeline.
    await withBackend(gpu, () => ops.sub(a, a)).data();
    expect(gpu.counters.pipelinesCreated).toBe(before + 1);
  });

  it('reuses staging buffers for readback', async () => {
    const a = withBackend(gpu, () => tensor([1, 2, 3, 4], [4]));
    await a.data();
    const before = gpu.counters.buffersCreated;
    expect(Array.from(await a.data())).toEqual([1, 2, 3, 4]);
    expect(Array.from(await a.data())).toEqual([1, 2, 3, 4]);
    expect(gpu.counters.buffersCreated).toBe(before);
  });

  it('zero-element tensors and rank-0 scalars work', async () => {
    const r = withBackend(gpu, () => [
      ops.add(tensor([], [0, 3]), tensor([1, 2, 3], [3])),
      ops.mul(ops.scalar(3), ops.scalar(4)),
    ]);
    expect((await r[0].data()).length).toBe(0);
    expect(await r[1].item()).toBe(12);
  });

  it('splits large workgroup counts over two dimensions', () => {
    expect(workgroupGrid(10)).toEqual([10, 1]);
    const [x, y] = workgroupGrid(200_000);
    expect(x).toBeLessThanOrEqual(65535);
    expect(x * y).toBeGreaterThanOrEqual(200_000);
  });

  it('device loss: a clear error, values read before are kept, and work goes on on a new device', async () => {
    const doomed = await createGpu();
    const w = withBackend(doomed, () => tensor([1, 2, 3, 4], [2, 2]));
    const kept = await withBackend(doomed, () => ops.mul(w, ops.scalar(2))).data();
    doomed.destroy();
    await doomed.device.lost;
    expect(() => withBackend(doomed, () => ops.add(w, w))).toThrow(DeviceLostError);
    await expect(w.data()).rejects.toThrow(/destroyed/);
    const fresh = await createGpu();
    try {
      const again = withBackend(fresh, () => ops.add(tensor(kept, [2, 2]), ops.scalar(1)));
      expect(Array.from(await again.data())).toEqual([3, 5, 7, 9]);
    } finally {
      fresh.destroy();
    }
  });

  it("setBackend('webgpu') runs ops on WebGPU in Node through Dawn", async () => {
    const info = await setBackend('webgpu');
    try {
      expect(info.name).toBe('webgpu');
      expect(info.fallbackReason).toBeUndefined();
      expect(await ops.sum(tensor([1, 2, 3, 4])).item()).toBe(10);
    } finally {
      (currentBackend() as WebGPUBackend).destroy();
      await setBackend('cpu');
    }
    expect(getBackendInfo().name).toBe('cpu');
  });
});
