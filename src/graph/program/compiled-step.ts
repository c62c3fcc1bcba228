/**
 * What a backend makes of a step program (`Backend.compile`): memory planned once, kernels
 * prepared once, and per step only the writes of the batch and the run. State lives in a ring
 * of sets (step n reads set n mod R, writes set n+1 mod R), so a step issued ahead of its loss
 * being known can be taken back with `rewind`.
 */
import type { OpName, OpParams } from '../op-params';
import type { Shape } from '../shape';
import type { Program } from './program';

/**
 * A tensor as a compiled step sees it: a backend's storage and its shape (graph/tensor.ts's Tensor
 * is one; named structurally so that this file and the Backend interface need not import it).
 */
export interface StoredValue<S = unknown> {
  readonly storage: S;
  readonly shape: Shape;
  readonly backend: { readonly description: string };
}

export interface CompileOptions<S = unknown> {
  /** Outputs every step reads back; a backend may prepare their readback with the step. */
  readonly reads?: readonly string[];
  /**
   * A step compiled from the same model at another batch size (the last, smaller batch): the
   * new step shares its state, so switching between them moves no data.
   */
  readonly shareStateWith?: CompiledStep<S>;
}

export interface StepCounters {
  /** Storage the step made: GPU buffers (inputs, constants, intermediates, uniforms, staging) or CPU arrays. */
  buffersCreated: number;
  pipelinesCreated: number;
  bytesAllocated: number;
  submits: number;
  steps: number;
  /** Kernel launches in one step (GPU dispatches, CPU kernel calls). */
  dispatchesPerStep: number;
  /** Intermediate values in the step, and the storage they share after lifetime analysis. */
  intermediates: number;
  intermediateBuffers: number;
}

/** GPU time of one op kind in a profiled step. */
export interface KernelTime {
  readonly op: OpName;
  /** Dispatches of this op in the step. */
  dispatches: number;
  ms: number;
}

export interface CompiledStep<S = unknown> {
  readonly program: Program;
  /** Writes input `name` (a batch, a step scalar); takes effect from the next step. */
  write(name: string, values: ArrayLike<number>): void;
  /**
   * Replaces the params of every `op` node from the next step on (Dropout's step counter). The
   * new params must select the same kernels.
   */
  setParams<K extends OpName>(op: K, update: (params: OpParams[K]) => OpParams[K]): void;
  /** Runs one step; resolves with the outputs named in `reads` once computed. The next step need not wait. */
  step(reads?: readonly string[]): Promise<Float32Array[]>;
  /** The current values of state or outputs by name (after every step issued so far). */
  read(names: readonly string[]): Promise<Float32Array[]>;
  /** Host copies of every state, by name, as of the newest step. */
  state(): Promise<Map<string, Float32Array>>;
  /** Writes host values into the state the next step reads (some or all states, by name). */
  load(state: ReadonlyMap<string, ArrayLike<number>>): void;
  /**
   * Copies tensors (on the step's backend) by name into the state the next step reads, or into
   * inputs (an inference step's weights), without a trip through the host.
   */
  assign(values: ReadonlyMap<string, StoredValue<S>>): void;
  /**
   * Every state as the backend's storage, as of the newest step. `into(name)` may give a value of
   * the model's whose storage is overwritten (and returned) rather than new storage allocated.
   */
  export(into: (name: string) => StoredValue<S> | undefined): Map<string, S>;
  /** Takes back the last `steps` steps (at most the ring's size - 1): state as before them. */
  rewind(steps: number): void;
  /** Runs one step like `step`, timing each kernel, where the backend can (WebGPU with timestamps). */
  profile?(reads?: readonly string[]): Promise<{ outputs: Float32Array[]; kernels: KernelTime[] }>;
  readonly counters: StepCounters;
  /** Frees the step's storage (state shared with another step stays until both are destroyed). */
  destroy(): void;
}
