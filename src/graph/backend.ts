/** The interface every backend implements; graph owns it, so graph never imports a concrete backend. */
import type { OpName, OpParams } from './op-params';
import type { CompiledStep, CompileOptions } from './program/compiled-step';
import type { Program } from './program/program';
import type { Shape } from './shape';

export type BackendName = 'cpu' | 'webgpu';

/** What a kernel sees of one input: the backend's own storage and the logical shape. */
export interface KernelInput<S = unknown> {
  readonly storage: S;
  readonly shape: Shape;
}

/**
 * A backend stores tensors (in storage of its own type S: typed arrays on the CPU, GPU buffers on
 * WebGPU) and runs the primitive ops on them. Graph code holds backends as Backend (S unknown);
 * a tensor's storage always belongs to its backend, which runOp checks before a kernel runs. A
 * backend never sees autodiff: backward passes are built from the same primitives. `run` returns
 * at once; a backend may execute later (WebGPU queues work), and `read` is the only place that
 * waits.
 */
export interface Backend<S = unknown> {
  readonly name: BackendName;
  /** One line for people: "CPU (float32)", or the adapter's description. */
  readonly description: string;
  /**
   * How many steps a training loop may issue ahead of reading the oldest one's loss: 1 where
   * the device works while the host waits (WebGPU), 0 where a step runs when issued (CPU).
   */
  readonly pipelineDepth: number;
  upload(values: ArrayLike<number>, shape: Shape): S;
  read(storage: S, size: number): Promise<Float32Array>;
  /**
   * Optional: the values of several of this backend's tensors, in order, from one batched read,
   * rejecting with what a read of the first failing one would. Where each read is a round trip
   * (WebGPU's map, through a browser's GPU process) this costs about one; readTensors
   * (read-tensors.ts) falls back to one read each where a backend has none.
   */
  readMany?(entries: readonly { readonly storage: S; readonly size: number }[]): Promise<Float32Array[]>;
  /** The values at once, where the backend can (CPU); null where it cannot (WebGPU). */
  readSync(storage: S, size: number): Float32Array | null;
  /**
   * Runs one op: the storage of each output, shaped as `outShapes` (one entry but for the
   * multi-output ops, op-params.ts `outputNames`).
   */
  run<K extends OpName>(
    op: K,
    inputs: readonly KernelInput<S>[],
    outShapes: readonly Shape[],
    params: OpParams[K],
  ): S[];
  /** Lowers a step program (src/graph/program) to a step this backend replays. */
  compile(program: Program, options?: CompileOptions<S>): CompiledStep<S>;
  /**
   * Tracing backends only: a tensor of another backend used inside a traced step, as a value of
   * the trace (null where it cannot be taken in).
   */
  adopt?(from: Backend, storage: unknown, shape: Shape): S | null;
}
