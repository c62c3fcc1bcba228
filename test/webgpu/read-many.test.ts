/**
 * Batched readback (src/backend/webgpu/read-many.ts, through graph's readTensors): many tensors
 * of one WebGPU backend come back in one copy submit and one map, with the values a read of each
 * gives and the CPU computes, sizes 0 included; a read holding a tensor that failed rejects with
 * that tensor's own failure and spoils nothing else; one whose device is lost, in flight or
 * before, rejects with DeviceLostError. The readers of a whole model (a weights export, the eager
 * step's loss and predictions, a move to another backend) read it with one readback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import { READ_CHUNK_BYTES } from '../../src/backend/webgpu/read-many';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { DeviceAllocationError, DeviceLostError } from '../../src/errors';
import { tensor, useBackend, withBackend } from '../../src/graph/engine';
import { add, mul } from '../../src/graph/ops';
import { readTensors } from '../../src/graph/read-tensors';
import type { Tensor } from '../../src/graph/tensor';
import { Adam, Dense, Sequential } from '../../src/index';
import { exportModelWeights } from '../../src/io/model-io';
import { DeviceFaults } from '../faults/faulty-device';
import { createGpu, ELEMENTWISE, expectClose, type Input, randn, rng, seed } from './harness';

const cpu = new CpuBackend('float32');
let faults: DeviceFaults;
let gpu: WebGPUBackend;
beforeAll(async () => {
  faults = new DeviceFaults();
  gpu = await createGpu({ wrapDevice: faults.wrap });
});
afterAll(() => gpu?.destroy());

/** Odd sizes, two of them empty, drawn afresh each run around a few fixed edges. */
function oddSizes(): number[] {
  return [0, 1, 3, 1 + 2 * rng.int(60), 0, 257 + 2 * rng.int(500), 4097, 65_537 + 2 * rng.int(1000)];
}

/** x * x + x on `backend`, for each input: values a kernel computed, not only uploaded. */
function computed(backend: WebGPUBackend | CpuBackend, inputs: readonly Input[]): Tensor[] {
  return withBackend(backend, () =>
    inputs.map((x) => {
      const t = tensor(x.values, x.shape);
      return add(mul(t, t), t);
    }),
  );
}

describe('readTensors on WebGPU', () => {
  it('gives what the CPU computes and what a read of each gives, in one copy submit', async () => {
    const inputs = oddSizes().map((n) => randn([n]));
    const onGpu = computed(gpu, inputs);
    const onCpu = computed(cpu, inputs);
    const before = gpu.counters.submits;
    const batched = await readTensors(onGpu);
    expect(gpu.counters.submits - before, 'submits for one batched read').toBe(1);
    expectClose(`readTensors (seed ${seed})`, batched, await readTensors(onCpu), ELEMENTWISE);
    const oneByOne = await Promise.all(onGpu.map((t) => t.data()));
    batched.forEach((values, k) => {
      expect(Array.from(values), `tensor ${k}`).toEqual(Array.from(oneByOne[k]));
      // Each array owns its memory, as a read of one does: none aliases another's values.
      expect(values.buffer.byteLength).toBe(values.byteLength);
    });
  });

  it('splits a read past READ_CHUNK_BYTES into one submit per chunk, values in order', async () => {
    const big = Math.ceil((0.6 * READ_CHUNK_BYTES) / 4);
    const inputs = [randn([big]), randn([7]), randn([big]), randn([0])];
    const tensors = withBackend(gpu, () => inputs.map((x) => tensor(x.values, x.shape)));
    const before = gpu.counters.submits;
    const values = await readTensors(tensors);
    // [big, 7] fills one chunk, [big] (the empty one needs no copy) the next.
    expect(gpu.counters.submits - before).toBe(2);
    values.forEach((v, k) => {
      expect(v.length).toBe(inputs[k].values.length);
      expect(
        v.every((x, i) => x === inputs[k].values[i]),
        `tensor ${k}`,
      ).toBe(true);
    });
  });

  it('reads tensors of several backends, each batched on its own, in the order given', async () => {
    const inputs = [randn([5]), randn([9]), randn([0]), randn([4])];
    const tensors = [
      withBackend(cpu, () => tensor(inputs[0].values, inputs[0].shape)),
      withBackend(gpu, () => tensor(inputs[1].values, inputs[1].shape)),
      withBackend(cpu, () => tensor(inputs[2].values, inputs[2].shape)),
      withBackend(gpu, () => tensor(inputs[3].values, inputs[3].shape)),
    ];
    const values = await readTensors(tensors);
    values.forEach((v, k) => {
      expect(Array.from(v), `tensor ${k}`).toEqual(Array.from(inputs[k].values));
    });
  });

  it("rejects with a refused tensor's own failure, before or after the device has said so; the rest reads", async () => {
    const good = withBackend(gpu, () => [tensor([1, 2, 3], [3]), tensor([4], [1])]);
    faults.arm({ kind: 'fail-allocation', at: 1 });
    const refused = withBackend(gpu, () => tensor(new Float32Array(33).fill(1), [33]));
    // Read at once: the allocation's error scope has not answered yet, so the copy is submitted.
    const early = await readTensors([good[0], refused, good[1]]).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(DeviceAllocationError);
    expect((early as Error).message).toContain('tensor [33]');
    const own = await refused.data().catch((e: unknown) => e);
    expect((early as Error).message).toBe((own as Error).message);
    // Known failed now: the read is refused without a submit.
    const before = gpu.counters.submits;
    await expect(readTensors([good[1], refused])).rejects.toThrow(/tensor \[33\]/);
    expect(gpu.counters.submits).toBe(before);
    const rest = await readTensors(good);
    expect(rest.map((v) => Array.from(v))).toEqual([[1, 2, 3], [4]]);
    expect(gpu.state).toBe('ready');
  });

  it('rejects with DeviceLostError when the device is lost with the read in flight, and after', async () => {
    const lost = await createGpu();
    try {
      const tensors = computed(
        lost,
        oddSizes().map((n) => randn([n])),
      );
      const inFlight = readTensors(tensors);
      lost.device.destroy();
      await expect(inFlight).rejects.toThrow(DeviceLostError);
      await expect(readTensors(tensors)).rejects.toThrow(DeviceLostError);
    } finally {
      lost.destroy();
    }
  });
});

describe('readers of a whole model', () => {
  /** 4 weights and 8 Adam slots; accuracy, so a step reads its predictions beside its loss. */
  function model(): Sequential {
    const m = new Sequential({
      seed: 3,
      layers: [
        new Dense({ units: 5, activation: 'relu', inputShape: [3] }),
        new Dense({ units: 2, activation: 'softmax' }),
      ],
    });
    m.compile({ optimizer: new Adam(), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return m;
  }
  const x = Array.from({ length: 8 }, (_, i) => [i / 8, 1 - i / 8, (i % 3) / 3]);
  const y = Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? [1, 0] : [0, 1]));

  it('read it with one readback: an export, an eager step, a move to the CPU', async () => {
    const previous = useBackend(gpu);
    try {
      const m = model();
      await m.fit(x, y, { epochs: 1, batchSize: 4, executor: 'eager' });
      const counted = async (f: () => Promise<unknown>) => {
        const before = faults.counts.readback;
        await f();
        return faults.counts.readback - before;
      };
      expect(await counted(() => exportModelWeights(m)), 'an export').toBe(1);
      // Two eager steps (loss and predictions in one read each) and the captures at fit's start and epoch's end.
      expect(
        await counted(() => m.fit(x, y, { epochs: 1, batchSize: 4, executor: 'eager' })),
        'an eager fit',
      ).toBe(4);
      const weights = await readTensors(m.getWeights());
      useBackend(cpu);
      expect(await counted(() => m.predict(x)), 'a move to the CPU').toBe(1);
      expect(m.getWeights().every((w) => w.backend === cpu)).toBe(true);
      const moved = await readTensors(m.getWeights());
      moved.forEach((w, k) => {
        expect(Array.from(w)).toEqual(Array.from(weights[k]));
      });
    } finally {
      useBackend(previous);
    }
  });
});
