/**
 * Timing one matmul candidate on the device: GPU timestamps around a pass of repeated dispatches
 * where the device has 'timestamp-query' (only the pass is measured, so training work queued
 * beside it does not count), else a wall-clock loop ended by a readback. A first run warms the
 * pipeline and sizes the repetitions to about `targetMs`. Inputs are small random values (no NaN
 * or denormals, which CPU emulations handle slowly).
 */
import { workgroupGrid } from '../host';
import type { MatmulCandidate, MatmulShape } from '../kernel-types';
import { matmulDispatches } from '../kernels/matmul';
import type { PipelineCache } from '../pipelines';

/** Times one run of a candidate on a shape, in ms; what the tuner calls (tests inject their own). */
export type CandidateTimer = (candidate: MatmulCandidate, shape: MatmulShape) => Promise<number>;

export interface TimerHost {
  readonly device: GPUDevice;
  readonly pipelines: PipelineCache;
}

const MAX_REPS = 64;

function filled(
  device: GPUDevice,
  values: Float32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>,
  usage: number,
): GPUBuffer {
  const buffer = device.createBuffer({ size: Math.max(values.byteLength, 16), usage, label: 'tuning' });
  device.queue.writeBuffer(buffer, 0, values);
  return buffer;
}

function randomValues(n: number): Float32Array<ArrayBuffer> {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.random() - 0.5;
  return v;
}

export function deviceTimer(host: TimerHost, targetMs: number): CandidateTimer {
  return async (candidate, shape) => {
    const { device, pipelines } = host;
    const { m, n, k } = shape;
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
    const a = filled(device, randomValues(m * k), storage);
    const b = filled(device, randomValues(k * n), storage);
    const c = device.createBuffer({ size: Math.max(m * n * 4, 16), usage: storage, label: 'tuning' });
    const [d] = matmulDispatches(candidate, [a, b, a], shape, false, 0);
    const uniform = filled(
      device,
      new Uint8Array(d.params.bytes),
      GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    );
    const { pipeline, layout } = pipelines.get(d.shader, d.constants, 3, 1);
    const bindGroup = device.createBindGroup({
      layout,
      entries: [a, b, a, c, uniform].map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const staging = device.createBuffer({
      size: 16,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const hasTimestamps = device.features.has('timestamp-query');
    const querySet = hasTimestamps ? device.createQuerySet({ type: 'timestamp', count: 2 }) : null;
    const resolved = hasTimestamps
      ? device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC })
      : null;
    const ticks = hasTimestamps
      ? device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST })
      : null;
    const [x, y] = workgroupGrid(d.workgroups);
    /** Runs `reps` dispatches in one pass and ends with a readback; ms per dispatch. */
    const run = async (reps: number, stamped: boolean): Promise<number> => {
      const encoder = device.createCommandEncoder({ label: 'tuning' });
      const pass = encoder.beginComputePass(
        stamped && querySet
          ? { timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } }
          : {},
      );
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      for (let r = 0; r < reps; r++) pass.dispatchWorkgroups(x, y);
      pass.end();
      encoder.copyBufferToBuffer(c, 0, staging, 0, 16);
      if (stamped && querySet && resolved && ticks) {
        encoder.resolveQuerySet(querySet, 0, 2, resolved, 0);
        encoder.copyBufferToBuffer(resolved, 0, ticks, 0, 16);
      }
      const start = performance.now();
      device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const wall = performance.now() - start;
      staging.unmap();
      if (!(stamped && ticks)) return wall / reps;
      await ticks.mapAsync(GPUMapMode.READ);
      const [begin, end] = new BigUint64Array(ticks.getMappedRange().slice(0));
      ticks.unmap();
      // A device that reports no progress (0 ticks) is measured by the wall clock instead.
      return end > begin ? Number(end - begin) / 1e6 / reps : wall / reps;
    };
    try {
      const first = await run(1, false);
      const reps = Math.max(1, Math.min(MAX_REPS, Math.round(targetMs / Math.max(first, 1e-3))));
      return await run(reps, true);
    } finally {
      for (const buffer of [a, b, c, uniform, staging, resolved, ticks]) buffer?.destroy();
      querySet?.destroy();
    }
  };
}
