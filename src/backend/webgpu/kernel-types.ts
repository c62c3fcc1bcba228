/** What a WebGPU kernel is: a function from an op call to the dispatches that compute its output. */
import type { OpName, OpParams } from '../../graph/op-params';
import type { Shape } from '../../graph/shape';
import type { ParamBlock } from './params';
import type { OverrideConstants, ShaderSource } from './pipelines';

export interface GpuInput {
  readonly buffer: GPUBuffer;
  readonly shape: Shape;
}

/**
 * One compute dispatch (made by a declared kernel's `dispatch`, declare-kernel.ts): bindings are
 * `inputs` (read-only storage, in order), then the op's output buffer (or `outputs` buffers), then
 * `params` as the uniform. `workgroups` is a count; the backend lays it out in 2-D when it exceeds
 * the 65535-per-dimension limit.
 */
export interface KernelDispatch {
  readonly shader: ShaderSource;
  readonly constants: OverrideConstants;
  readonly inputs: readonly GPUBuffer[];
  /** The uniform's bytes, laid out as the kernel's generated `struct Params` (params.ts). */
  readonly params: ParamBlock;
  readonly workgroups: number;
  /**
   * Storage bindings written, after the inputs (default 1, the op's output): more for the kernels
   * of multi-output ops (an optimizer update writing each slot and the weight in one pass).
   */
  readonly outputs?: number;
}

export type MatmulVariant = 'register' | 'tiled';

/** What kernels may know about the device when they choose a variant. */
export interface KernelEnv {
  readonly matmulVariant: MatmulVariant;
  /** Threads per workgroup for the one-element-per-thread kernels. */
  readonly workgroupSize: number;
  /** Elements per thread of the map-like kernels that loop over several (kernels/elementwise.ts `chunked`). */
  readonly elementsPerThread: number;
}

/** Returns every dispatch, in order; an empty list means the output has no elements. */
export type WebGPUKernel<K extends OpName> = (
  inputs: readonly GpuInput[],
  outShape: Shape,
  params: OpParams[K],
  env: KernelEnv,
) => KernelDispatch[];

export type WebGPUKernels<K extends OpName> = { readonly [P in K]: WebGPUKernel<P> };
