/**
 * Timing one kernel candidate (a matmul's, a convolution's, a reduction's) on the device: GPU
 * timestamps around a pass of repeated dispatches where the device has 'timestamp-query' (only the pass is measured, so training work queued
 * beside it does not count), else a wall-clock loop ended by a readback. A first run warms the
 * pipeline and sizes the repetitions to about `targetMs`. Inputs are small random values (no NaN
 * or denormals, which CPU emulations handle slowly).
 *
 * A timing shares the device with training, so it must never spoil a step: its pipeline is
 * compiled asynchronously and checked (PipelineCache.getChecked), its buffers and submits sit in
 * error scopes of its own, and it fails only with its own typed errors: the device's
 * DeviceLostError when the device went (waited for, since a map rejects before the loss is known),
 * else a TuningRunError naming the candidate. Neither reaches the backend's step readbacks.
 */
import { BackendError, type DeviceLostError } from '../../../errors';
import { type ScopeError, withErrorScopes } from '../buffers';
import { dispatchBindings, LOSS_WAIT_MS, lossWithin, scratchSizes, workgroupGrid } from '../host';
import type { KernelDispatch, MatmulShape, TunedCandidate, TunedShape } from '../kernel-types';
import { convDispatches, convSizes } from '../kernels/conv-candidates';
import { matmulDispatches } from '../kernels/matmul';
import { reduceDispatches, reduceSizes } from '../kernels/reduce-candidates';
import type { PipelineCache } from '../pipelines';
import { isConvShape, isReduceShape, tunedId } from './families';

/** Times one run of a candidate on a shape, in ms; what the tuner calls (tests inject their own). */
export type CandidateTimer = (candidate: TunedCandidate, shape: TunedShape) => Promise<number>;

/** A timing run that failed on a working device (a refused buffer or submit, a shader that did not compile). */
export class TuningRunError extends BackendError {}

export interface TimerHost {
  readonly device: GPUDevice;
  readonly pipelines: PipelineCache;
  /** The device's loss once the backend knows of it, else null. */
  readonly error: DeviceLostError | null;
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

const scopeText = (e: ScopeError) => `${e.filter} error: ${e.message.split('\n')[0]}`;

function shapeText(shape: TunedShape): string {
  if (isConvShape(shape)) return `${shape.op} x[${shape.x.join(',')}] w[${shape.w.join(',')}]`;
  if (isReduceShape(shape))
    return `${shape.reduce} [${shape.keptShape.join(',')}] by [${shape.reducedShape.join(',')}]`;
  const { m, k, n, transposeA, transposeB } = shape;
  return `${m}x${k}x${n}${transposeA ? ' A transposed' : ''}${transposeB ? ' B transposed' : ''}`;
}

/** What a timing fills (input sizes, in elements), its output's size, and the candidate's dispatches of them. */
interface TimedKernel {
  readonly inputs: readonly number[];
  readonly output: number;
  dispatches(inputs: readonly GPUBuffer[]): KernelDispatch[];
}

function timedKernel(candidate: TunedCandidate, shape: TunedShape): TimedKernel {
  if (candidate.kind === 'conv' && isConvShape(shape)) {
    const { x, w, y } = convSizes(shape);
    const [inputs, output] =
      shape.op === 'conv2d' ? [[x, w], y] : shape.op === 'conv2dBackpropInput' ? [[y, w], x] : [[x, y], w];
    return { inputs, output, dispatches: ([p, q]) => convDispatches(candidate, shape, [p, q], null, 0) };
  }
  if (candidate.kind === 'reduce' && isReduceShape(shape)) {
    const { inputs, output } = reduceSizes(shape);
    return { inputs, output, dispatches: (buffers) => reduceDispatches(candidate, shape, buffers) };
  }
  if (candidate.kind === 'conv' || candidate.kind === 'reduce' || isConvShape(shape) || isReduceShape(shape))
    throw new TuningRunError(`${tunedId(candidate)} is not a kernel for ${shapeText(shape)}`);
  const { m, n, k } = shape as MatmulShape;
  return {
    inputs: [m * k, k * n],
    output: m * n,
    dispatches: ([a, b]) => matmulDispatches(candidate, [a, b, a], shape, false, 0),
  };
}

export function deviceTimer(host: TimerHost, targetMs: number): CandidateTimer {
  return async (candidate, shape) => {
    if (host.error) throw host.error;
    const what = `timing ${tunedId(candidate)} on ${shapeText(shape)}`;
    try {
      return await timeOnDevice(host, candidate, shape, targetMs, what);
    } catch (e) {
      // A refusal its own scopes caught is the run's; anything else (a map that rejected) may be
      // the device going, which is reported as the loss once it is known.
      const loss = e instanceof TuningRunError ? host.error : await lossWithin(host, LOSS_WAIT_MS);
      if (loss) throw loss;
      if (e instanceof TuningRunError) throw e;
      throw new TuningRunError(`${what} failed: ${(e as Error).message || (e as Error).name}`);
    }
  };
}

/** The GPU objects of one timing, made in error scopes of their own. */
function timingBuffers(device: GPUDevice, kernel: TimedKernel) {
  const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const hasTimestamps = device.features.has('timestamp-query');
  const readable = GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST;
  return withErrorScopes(device, () => ({
    inputs: kernel.inputs.map((n) => filled(device, randomValues(n), storage)),
    out: device.createBuffer({ size: Math.max(kernel.output * 4, 16), usage: storage, label: 'tuning' }),
    staging: device.createBuffer({ size: 16, usage: readable, label: 'tuning' }),
    querySet: hasTimestamps ? device.createQuerySet({ type: 'timestamp', count: 2 }) : null,
    resolved: hasTimestamps
      ? device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC })
      : null,
    ticks: hasTimestamps ? device.createBuffer({ size: 16, usage: readable, label: 'tuning' }) : null,
  }));
}

/** One dispatch's pipeline (compiled asynchronously, checked) and bind group (in scopes of its own). */
async function bindDispatch(
  device: GPUDevice,
  pipelines: PipelineCache,
  d: KernelDispatch,
  outputs: readonly GPUBuffer[],
  scratch: readonly GPUBuffer[],
  uniform: GPUBuffer,
  what: string,
): Promise<{ pipeline: GPUComputePipeline; bindGroup: GPUBindGroup; grid: [number, number] }> {
  const written = d.targets ? d.targets.length : outputs.length;
  const { pipeline, layout } = await pipelines
    .getChecked(d.shader, d.constants, d.inputs.length, written)
    .catch((e: Error) => {
      throw new TuningRunError(`${what}: ${e.message}`);
    });
  const bound = withErrorScopes(device, () =>
    device.createBindGroup({ layout, entries: dispatchBindings(d, outputs, scratch, uniform) }),
  );
  const unbound = await bound.errors;
  if (unbound) throw new TuningRunError(`${what}: its bind group was refused (${scopeText(unbound)})`);
  return { pipeline, bindGroup: bound.value, grid: workgroupGrid(d.workgroups) };
}

async function timeOnDevice(
  host: TimerHost,
  candidate: TunedCandidate,
  shape: TunedShape,
  targetMs: number,
  what: string,
): Promise<number> {
  const { device, pipelines } = host;
  const kernel = timedKernel(candidate, shape);
  const made = timingBuffers(device, kernel);
  const { inputs, out, staging, querySet, resolved, ticks } = made.value;
  const dispatches = kernel.dispatches(inputs);
  // The uniforms and the kernel's temporaries (a split-K's partial sums), in scopes of their own.
  const perRun = withErrorScopes(device, () => ({
    uniforms: dispatches.map((d) =>
      filled(device, new Uint8Array(d.params.bytes), GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST),
    ),
    scratch: scratchSizes(dispatches).map((bytes) =>
      device.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage: GPUBufferUsage.STORAGE, label: 'tuning' }),
    ),
  }));
  const { uniforms, scratch } = perRun.value;
  try {
    const refused = (await made.errors) ?? (await perRun.errors);
    if (refused) throw new TuningRunError(`${what}: its buffers were refused (${scopeText(refused)})`);
    const bound = await Promise.all(
      dispatches.map((d, k) => bindDispatch(device, pipelines, d, [out], scratch, uniforms[k], what)),
    );
    /** Runs the kernel `reps` times in one pass and ends with a readback; ms per run. */
    const run = async (reps: number, stamped: boolean): Promise<number> => {
      const timed = stamped && querySet && resolved && ticks ? { querySet, resolved, ticks } : null;
      let start = 0;
      const { errors } = withErrorScopes(device, () => {
        const encoder = device.createCommandEncoder({ label: 'tuning' });
        const pass = encoder.beginComputePass(
          timed
            ? {
                timestampWrites: {
                  querySet: timed.querySet,
                  beginningOfPassWriteIndex: 0,
                  endOfPassWriteIndex: 1,
                },
              }
            : {},
        );
        for (let r = 0; r < reps; r++) {
          for (const { pipeline, bindGroup, grid } of bound) {
            pass.setPipeline(pipeline);
            pass.setBindGroup(0, bindGroup);
            pass.dispatchWorkgroups(...grid);
          }
        }
        pass.end();
        encoder.copyBufferToBuffer(out, 0, staging, 0, 16);
        if (timed) {
          encoder.resolveQuerySet(timed.querySet, 0, 2, timed.resolved, 0);
          encoder.copyBufferToBuffer(timed.resolved, 0, timed.ticks, 0, 16);
        }
        const commands = encoder.finish();
        start = performance.now();
        device.queue.submit([commands]);
      });
      await staging.mapAsync(GPUMapMode.READ);
      const wall = performance.now() - start;
      staging.unmap();
      const rejected = await errors;
      if (rejected) throw new TuningRunError(`${what}: its run was refused (${scopeText(rejected)})`);
      if (!timed) return wall / reps;
      await timed.ticks.mapAsync(GPUMapMode.READ);
      const [begin, end] = new BigUint64Array(timed.ticks.getMappedRange().slice(0));
      timed.ticks.unmap();
      // A device that reports no progress (0 ticks) is measured by the wall clock instead.
      return end > begin ? Number(end - begin) / 1e6 / reps : wall / reps;
    };
    const first = await run(1, false);
    const reps = Math.max(1, Math.min(MAX_REPS, Math.round(targetMs / Math.max(first, 1e-3))));
    return await run(reps, true);
  } finally {
    for (const buffer of [...inputs, ...uniforms, ...scratch, out, staging, resolved, ticks])
      buffer?.destroy();
    querySet?.destroy();
  }
}
