/**
 * What the step planner (plan.ts, state-ring.ts, step.ts) needs of the WebGPU backend, so that
 * they depend on this interface rather than on the backend class that compiles with them.
 */
import { BackendError, type DeviceLostError } from '../../errors';
import type { BufferAllocator, GpuStorage } from './buffers';
import type { DispatchBuffer, KernelDispatch, KernelEnv, Scratch, TunedShape } from './kernel-types';
import type { PipelineCache } from './pipelines';

export interface GpuHost {
  readonly description: string;
  readonly device: GPUDevice;
  readonly env: KernelEnv;
  readonly buffers: BufferAllocator;
  readonly pipelines: PipelineCache;
  readonly counters: {
    readonly buffersCreated: number;
    readonly pipelinesCreated: number;
    readonly bytesAllocated: number;
  };
  /** Submits so far: the index the next submit gets. */
  readonly submitted: number;
  /** The autotuner (tune/tuner.ts): a compiled step asks it to time its products. */
  readonly tuner?: {
    /** Resolves true when some product's kernel changed (never rejects). */
    request(shapes: readonly TunedShape[]): Promise<boolean>;
  };
  /** Why the device is gone, or null while it works. */
  readonly error: DeviceLostError | null;
  /** Submits work built elsewhere and counts it. */
  submitCommands(commands: GPUCommandBuffer): void;
  read(storage: GpuStorage | { buffer: GPUBuffer }, size: number): Promise<Float32Array>;
  /**
   * Maps a staging buffer a submit wrote, then throws the device's loss or, given the index of the
   * step's submit, a failure at or before it (a plan's allocation, a checked submit), so a step's
   * values are never stale.
   */
  mapForRead(staging: GPUBuffer, bytes: number, what: string, submit?: number): Promise<void>;
}

export const isScratch = (b: DispatchBuffer): b is Scratch => typeof (b as Scratch).scratch === 'number';

/**
 * The bytes of each temporary that a kernel call's dispatches name (kernel-types.ts `Scratch`):
 * entry k is the largest named for temporary k, so the caller can size (and check) every one
 * before it allocates any. Numbers must run 0, 1, ... without gaps.
 */
export function scratchSizes(dispatches: readonly KernelDispatch[]): number[] {
  const sizes: number[] = [];
  for (const d of dispatches) {
    for (const b of [...d.inputs, ...(d.targets ?? [])]) {
      if (!isScratch(b)) continue;
      if (!Number.isInteger(b.scratch) || b.scratch < 0 || !(b.bytes > 0)) {
        throw new BackendError(
          `${d.shader.name}: temporary ${b.scratch} of ${b.bytes} bytes; expected a number 0, 1, ... and a positive size`,
        );
      }
      sizes[b.scratch] = Math.max(sizes[b.scratch] ?? 0, b.bytes);
    }
  }
  for (let k = 0; k < sizes.length; k++) {
    if (sizes[k] === undefined) throw new BackendError(`a kernel's temporaries skip number ${k}`);
  }
  return sizes;
}

/** Storage buffers a dispatch writes: its targets, else its `outputs` (default 1). */
export const writtenBuffers = (d: KernelDispatch): number => d.targets?.length ?? d.outputs ?? 1;

/**
 * A dispatch's bindings in order: its inputs, then its targets or else the op's `outputs`, then
 * the uniform, with each temporary it names replaced by the caller's buffer `scratch[k]`.
 */
export function dispatchBindings(
  d: KernelDispatch,
  outputs: readonly GPUBuffer[],
  scratch: readonly GPUBuffer[],
  uniform: GPUBuffer,
): GPUBindGroupEntry[] {
  const resolve = (b: DispatchBuffer): GPUBuffer => (isScratch(b) ? scratch[b.scratch] : b);
  const written = d.targets ? d.targets.map(resolve) : outputs;
  return [...d.inputs.map(resolve), ...written, uniform].map((buffer, binding) => ({
    binding,
    resource: { buffer },
  }));
}

/** WebGPU allows at most this many workgroups along one dimension. */
const MAX_WORKGROUPS_PER_DIM = 65535;

/** Lays out a workgroup count within the per-dimension limit: [x, y] with x * y >= count. */
export function workgroupGrid(count: number): [number, number] {
  if (count <= MAX_WORKGROUPS_PER_DIM) return [count, 1];
  const y = Math.ceil(count / MAX_WORKGROUPS_PER_DIM);
  return [Math.ceil(count / y), y];
}

/**
 * How long a failure that may be the device going (a map that rejected) waits for the loss to be
 * reported: a destroyed device rejects pending maps first and settles `device.lost` later (in a
 * browser, once the GPU process has finished what it was doing, a pipeline compile, say).
 */
export const LOSS_WAIT_MS = 5000;

/** Resolves once the device's loss is known or `ms` have passed, with the loss or null. */
export async function lossWithin(
  host: { readonly device: GPUDevice; readonly error: DeviceLostError | null },
  ms: number,
): Promise<DeviceLostError | null> {
  if (host.error) return host.error;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    host.device.lost,
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
  // The backend's own `lost` handler ran first: it was attached when the backend was made.
  return host.error;
}

/**
 * `read` of the first `bytes` of a staging buffer whose map has resolved, called at once. The
 * device may go between the map resolving and this (destroyed by other work on it, a tuning run
 * beside the steps, say), which unmaps the buffer: its range then throws an OperationError before
 * `device.lost` settles. That failure waits for the loss (as a rejected map does) and is thrown
 * as the DeviceLostError fit recovers from, else as a BackendError naming `what`.
 */
export async function readMapped<T>(
  host: { readonly device: GPUDevice; readonly error: DeviceLostError | null },
  staging: GPUBuffer,
  bytes: number,
  what: string,
  read: (range: ArrayBuffer) => T,
): Promise<T> {
  let range: ArrayBuffer;
  try {
    range = staging.getMappedRange(0, bytes);
  } catch (e) {
    const lost = await lossWithin(host, LOSS_WAIT_MS);
    if (lost) throw lost;
    throw new BackendError(`${what} from WebGPU failed: ${(e as Error).message || (e as Error).name}`);
  }
  return read(range);
}
