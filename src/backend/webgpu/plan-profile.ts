/**
 * A profiled step (`StepPlan.profile`): each dispatch in a compute pass of its own bracketed by
 * GPU timestamps, resolved with the step's outputs to the GPU time of each op kind (summed over
 * its dispatches, most first): where a step's time goes. Needs the 'timestamp-query' feature (the
 * backend asks for it where the adapter has it); the extra passes and the query readback make
 * this step slower than a plain one, so it is for measurements, not for training.
 */
import { BackendError } from '../../errors';
import type { KernelTime } from '../../graph/program/compiled-step';
import type { GpuHost } from './host';
import type { Recorded } from './plan-record';

/** How a profiled step encodes its dispatches and resolves its timestamps. */
export interface Timing {
  encode(encoder: GPUCommandEncoder, each: (pass: GPUComputePassEncoder, d: Recorded) => void): void;
  resolve(encoder: GPUCommandEncoder): void;
}

export async function profileStep(
  host: GpuHost,
  dispatches: readonly Recorded[],
  run: (timing: Timing) => Promise<Float32Array[]>,
): Promise<{ outputs: Float32Array[]; kernels: KernelTime[] }> {
  const { device, buffers } = host;
  if (!device.features.has('timestamp-query')) {
    throw new BackendError(
      "StepPlan.profile: this device has no 'timestamp-query' feature, so kernel times cannot be measured",
    );
  }
  const count = dispatches.length * 2;
  const querySet = device.createQuerySet({ type: 'timestamp', count });
  const resolved = buffers.create(
    count * 8,
    GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    'profile timestamps',
  );
  const staging = buffers.create(
    count * 8,
    GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    'profile readback',
  );
  const timing: Timing = {
    encode(encoder, each) {
      dispatches.forEach((d, k) => {
        const pass = encoder.beginComputePass({
          timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * k, endOfPassWriteIndex: 2 * k + 1 },
        });
        each(pass, d);
        pass.end();
      });
    },
    resolve(encoder) {
      encoder.resolveQuerySet(querySet, 0, count, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, staging, 0, count * 8);
    },
  };
  try {
    const outputs = await run(timing);
    await staging.mapAsync(GPUMapMode.READ);
    const ticks = new BigUint64Array(staging.getMappedRange().slice(0));
    staging.unmap();
    const byOp = new Map<string, KernelTime>();
    dispatches.forEach((d, k) => {
      const ms = Number(ticks[2 * k + 1] - ticks[2 * k]) / 1e6;
      const entry = byOp.get(d.op) ?? { op: d.op, dispatches: 0, ms: 0 };
      entry.dispatches++;
      entry.ms += ms;
      byOp.set(d.op, entry);
    });
    return { outputs, kernels: [...byOp.values()].sort((a, b) => b.ms - a.ms) };
  } finally {
    querySet.destroy();
    resolved.destroy();
    staging.destroy();
  }
}
