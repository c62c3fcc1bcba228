/**
 * Kernel temporaries (kernel-types.ts `Scratch`): a kernel whose dispatches pass values through
 * temporaries, in an eager op and in a compiled step, against the CPU; their memory counted while
 * alive and released (an eager op's at its submit, a plan's at its dispose); sizes over the
 * device's limits refused before anything is allocated; a refused temporary failing only what it
 * would have made. The kernel under test stands in for `neg` while a test runs: x -> -x into
 * temporary 0, exp into temporary 1, -y into the output, i.e. -exp(-x), so an order or binding
 * mistake shows in the values, and the harness's poisoned temporaries show any read before a write.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KernelDispatch, Scratch, WebGPUKernel } from '../../src/backend/webgpu/kernel-types';
import { webgpuKernels } from '../../src/backend/webgpu/kernels';
import { StepPlan } from '../../src/backend/webgpu/plan';
import { SHADERS } from '../../src/backend/webgpu/shaders';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { DeviceAllocationError, OutOfMemoryError } from '../../src/errors';
import { tensor, withBackend } from '../../src/graph/engine';
import * as ops from '../../src/graph/ops';
import { sizeOf } from '../../src/graph/shape';
import { DeviceFaults } from '../faults/faulty-device';
import { createGpu, expectClose, randn } from './harness';

const kernels = webgpuKernels as unknown as Record<string, WebGPUKernel<'neg'>>;
const realNeg = kernels.neg;
/** Bytes each temporary asks for beyond the values it holds (the over-limit test raises it). */
let extraBytes = 0;

const NEG = 0;
const EXP = 1;
function unaryPass(op: number, input: GPUBuffer | Scratch, n: number, target?: Scratch): KernelDispatch {
  return SHADERS.unary.dispatch({
    inputs: [input],
    ...(target ? { targets: [target] } : {}),
    params: { n },
    constants: { OP: op, WG: 64, PER: 1 },
    workgroups: Math.ceil(n / 64),
  });
}

/** -exp(-x) through two temporaries. */
const throughScratch: WebGPUKernel<'neg'> = ([x], outShape) => {
  const n = sizeOf(outShape);
  const t0 = { scratch: 0, bytes: n * 4 + extraBytes };
  const t1 = { scratch: 1, bytes: n * 4 };
  return [unaryPass(NEG, x.buffer, n, t0), unaryPass(EXP, t0, n, t1), unaryPass(NEG, t1, n)];
};

const expected = (x: Float32Array) => [Float32Array.from(x, (v) => -Math.exp(-v))];

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await createGpu();
});
afterEach(() => {
  kernels.neg = realNeg;
  extraBytes = 0;
});

describe('kernel temporaries', () => {
  it('an eager op passes values through them, and they are released at its submit', async () => {
    kernels.neg = throughScratch;
    const x = randn([1001]);
    const before = gpu.counters;
    const y = withBackend(gpu, () => ops.neg(tensor(x.values, x.shape)));
    const after = gpu.counters;
    expectClose('neg through temporaries', [await y.data()], expected(x.values), 1e-5, 1e-6);
    // The input, the output, two temporaries and three uniforms; no temporary outlives the call.
    expect(after.buffersCreated - before.buffersCreated).toBe(7);
    expect(after.bytesAllocated - before.bytesAllocated).toBeGreaterThanOrEqual(4 * 1001 * 4);
    expect(after.scratchBytes).toBe(0);
  });

  it('a compiled step shares one buffer per temporary among its nodes, owned until its dispose', async () => {
    kernels.neg = throughScratch;
    const before = gpu.counters.scratchBytes;
    const plan = StepPlan.build(gpu, [[100], [300]], (a, b) => [ops.neg(a), ops.neg(b)]);
    try {
      // Two temporaries as large as the larger node's, not one set per node.
      expect(gpu.counters.scratchBytes - before).toBe(2 * 300 * 4);
      expect(plan.counters.bytesAllocated).toBeGreaterThanOrEqual(2 * 300 * 4 + 2 * 400 * 4);
      for (let step = 0; step < 2; step++) {
        const a = randn([100]);
        const b = randn([300]);
        plan.write(0, a.values);
        plan.write(1, b.values);
        const [ya, yb] = await plan.step([0, 1]);
        expectClose(`step ${step} node a`, [ya], expected(a.values), 1e-5, 1e-6);
        expectClose(`step ${step} node b`, [yb], expected(b.values), 1e-5, 1e-6);
      }
    } finally {
      plan.destroy();
    }
    expect(gpu.counters.scratchBytes).toBe(before);
  });

  it('a temporary over the device limit is an OutOfMemoryError before any is made', () => {
    kernels.neg = throughScratch;
    extraBytes = gpu.device.limits.maxStorageBufferBindingSize;
    const x = withBackend(gpu, () => tensor([1, 2, 3], [3]));
    const before = gpu.counters;
    const error = (() => {
      try {
        withBackend(gpu, () => ops.neg(x));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect((error as Error).message).toContain('scratch 0');
    // The op's output was made (and is unreachable); neither temporary was.
    expect(gpu.counters.buffersCreated - before.buffersCreated).toBe(1);
    expect(gpu.counters.scratchBytes).toBe(0);
  });
});

describe('a temporary the device refuses', () => {
  /** A backend on a wrapped device that also records each createBuffer's label, in order. */
  async function faultyGpu(): Promise<{ gpu: WebGPUBackend; faults: DeviceFaults; labels: string[] }> {
    const faults = new DeviceFaults();
    const labels: string[] = [];
    const wrapDevice = (device: GPUDevice) => {
      const wrapped = faults.wrap(device);
      return new Proxy(wrapped, {
        get: (target, key) => {
          const value = Reflect.get(target, key, target);
          if (key !== 'createBuffer') return typeof value === 'function' ? value.bind(target) : value;
          return (descriptor: GPUBufferDescriptor) => {
            labels.push(descriptor.label ?? '');
            return target.createBuffer(descriptor);
          };
        },
      });
    };
    return { gpu: await WebGPUBackend.create({ wrapDevice }), faults, labels };
  }

  it('fails the eager op it belongs to, naming it; its input stays readable and later ops work', async () => {
    const { gpu: faulty, faults, labels } = await faultyGpu();
    try {
      kernels.neg = throughScratch;
      const x = withBackend(faulty, () => tensor([1, 2, 3], [3]));
      const seen = labels.length;
      // Calls from now on: the output, then temporary 0.
      faults.arm({ kind: 'fail-allocation', at: 2 });
      const y = withBackend(faulty, () => ops.neg(x));
      expect(labels[seen + 1]).toBe('neg [3] scratch 0');
      await expect(y.data()).rejects.toThrow(DeviceAllocationError);
      await expect(y.data()).rejects.toThrow(/neg \[3\]/);
      expect(Array.from(await x.data())).toEqual([1, 2, 3]);
      expect(faulty.counters.scratchBytes).toBe(0);
      const again = withBackend(faulty, () => ops.neg(x));
      expectClose(
        'after the refusal',
        [await again.data()],
        expected(new Float32Array([1, 2, 3])),
        1e-5,
        1e-6,
      );
    } finally {
      faulty.destroy();
    }
  });

  it("is reported by a compiled step's readback; a plan made after it works", async () => {
    const { gpu: faulty, faults, labels } = await faultyGpu();
    try {
      kernels.neg = throughScratch;
      const build = () => StepPlan.build(faulty, [[64]], (a) => [ops.neg(a)]);
      const seen = labels.length;
      build().destroy();
      const at = labels.slice(seen).indexOf('step scratch 0') + 1;
      expect(at).toBeGreaterThan(0);
      faults.arm({ kind: 'fail-allocation', at });
      const plan = build();
      plan.write(0, new Float32Array(64));
      await expect(plan.step([0])).rejects.toThrow(/step scratch 0/);
      plan.destroy();
      const good = build();
      const x = randn([64]);
      good.write(0, x.values);
      const [y] = await good.step([0]);
      expectClose('a later plan', [y], expected(x.values), 1e-5, 1e-6);
      good.destroy();
      expect(faulty.counters.scratchBytes).toBe(0);
    } finally {
      faulty.destroy();
    }
  });
});
