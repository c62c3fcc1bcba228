/**
 * What the step planner (plan.ts, state-ring.ts, step.ts) needs of the WebGPU backend, so that
 * they depend on this interface rather than on the backend class that compiles with them.
 */
import type { BufferAllocator, GpuStorage } from './buffers';
import type { KernelEnv, MatmulShape } from './kernel-types';
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
  /** The autotuner (tune/tuner.ts): a compiled step asks it to time its products. */
  readonly tuner?: {
    /** Resolves true when some product's kernel changed (never rejects). */
    request(shapes: readonly MatmulShape[]): Promise<boolean>;
  };
  /** Submits work built elsewhere and counts it. */
  submitCommands(commands: GPUCommandBuffer): void;
  read(storage: GpuStorage | { buffer: GPUBuffer }, size: number): Promise<Float32Array>;
}

/** WebGPU allows at most this many workgroups along one dimension. */
const MAX_WORKGROUPS_PER_DIM = 65535;

/** Lays out a workgroup count within the per-dimension limit: [x, y] with x * y >= count. */
export function workgroupGrid(count: number): [number, number] {
  if (count <= MAX_WORKGROUPS_PER_DIM) return [count, 1];
  const y = Math.ceil(count / MAX_WORKGROUPS_PER_DIM);
  return [Math.ceil(count / y), y];
}
