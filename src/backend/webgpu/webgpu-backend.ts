/**
 * The WebGPU backend: tensors live in GPU buffers, `run` encodes an op's dispatches and submits
 * them without waiting, `read` copies into a pooled staging buffer and maps it.
 *
 * Faults: only the device's loss ends the backend (`lost`). A failed allocation or submit spoils
 * what it would have made and nothing else: a tensor's storage carries its failure (buffers.ts),
 * and failures no tensor owns (a step plan's) are reported once, by the next readback.
 */
import { BackendError, DeviceAllocationError, DeviceLostError, fmtShape } from '../../errors';
import type { Backend, KernelInput } from '../../graph/backend';
import type { OpName, OpParams } from '../../graph/op-params';
import type { CompiledStep, CompileOptions } from '../../graph/program/compiled-step';
import { optimizeProgram } from '../../graph/program/passes';
import type { Program } from '../../graph/program/program';
import { type Shape, sizeOf } from '../../graph/shape';
import { BufferAllocator, firstLine, type GpuStorage, type Settled, withErrorScopes } from './buffers';
import { acquireDevice, type GpuContext } from './device';
import {
  dispatchBindings,
  type GpuHost,
  LOSS_WAIT_MS,
  lossWithin,
  scratchSizes,
  workgroupGrid,
  writtenBuffers,
} from './host';
import type { KernelDispatch, KernelEnv, WebGPUKernel } from './kernel-types';
import { webgpuKernels } from './kernels';
import type { WebGPUBackendOptions, WebGPUCounters } from './options';
import { PipelineCache, ShaderCompileError } from './pipelines';
import { type ReadEntry, readMany } from './read-many';
import { WebGPUStep } from './step';
import { deviceTimer } from './tune/measure';
import { programTunedShapes, tunedShapeOf } from './tune/shapes';
import { resolveTuningStore, type TuningStoreOption } from './tune/store';
import { Tuner, type TuningMode } from './tune/tuner';

export { workgroupGrid } from './host';
export type { WebGPUBackendOptions, WebGPUCounters } from './options';

/** The device went away (driver reset, destroy()): the message says why; weights read before are intact. */
export { DeviceLostError };

export class WebGPUBackend implements Backend<GpuStorage>, GpuHost {
  readonly name = 'webgpu' as const;
  /** A step is issued before the previous one's loss is read back, so the GPU works while the host waits. */
  readonly pipelineDepth = 1;
  readonly description: string;
  readonly device: GPUDevice;
  readonly env: KernelEnv;
  poisonOutputs: boolean;
  private readonly memory = { buffersCreated: 0, bytesAllocated: 0, buffersReleased: 0, scratchBytes: 0 };
  /** @internal shared with the step planner (plan.ts), so its counts show in `counters` */
  readonly buffers: BufferAllocator;
  /** @internal */
  readonly pipelines: PipelineCache;
  private submits = 0;
  private dispatches = 0;
  private lostError: DeviceLostError | null = null;
  /**
   * A failure no tensor owns, for the readback of the first step submitted at or after
   * `atSubmit` to report (then it is forgotten).
   */
  private pending: { error: Error; atSubmit: number } | null = null;
  /** `buffers.made` when a submit was last checked: the first submit after new buffers is. */
  private checkedAt = -1;
  private destroyed = false;
  /** Chooses matmul kernels by timing them on this device (mode 'off' until setTuning). */
  readonly tuner: Tuner;
  private tuningStore: TuningStoreOption;
  private tuningOpened = false;

  /** Acquires a device and builds the backend; throws BackendError with the reason when it cannot. */
  static async create(options: WebGPUBackendOptions = {}): Promise<WebGPUBackend> {
    const result = await acquireDevice(options);
    if (!result.ok) throw new BackendError(`WebGPU is unavailable: ${result.reason}`);
    const backend = new WebGPUBackend(result.context, options);
    await backend.setTuning(options.tuning ?? 'off');
    return backend;
  }

  constructor(
    readonly context: GpuContext,
    /** What it was made with; a recovery makes its replacement with the same. */
    readonly options: WebGPUBackendOptions = {},
  ) {
    this.device = context.device;
    this.description = `WebGPU (${context.adapterInfo}${context.isFallbackAdapter ? ', CPU-emulated' : ''}, ${context.featureLevel})`;
    const matmulVariant = options.matmulVariant ?? (context.isFallbackAdapter ? 'register' : 'tiled');
    this.poisonOutputs = options.poisonOutputs ?? false;
    this.buffers = new BufferAllocator(this.device, this.memory, {
      where: context.adapterInfo,
      onUnownedFailure: (e) => this.report(e),
    });
    this.pipelines = new PipelineCache(this.device, (e) => this.report(e));
    this.tuningStore = options.tuningStore;
    const workgroupSize = options.workgroupSize ?? 64;
    const elementsPerThread = options.elementsPerThread ?? (context.isFallbackAdapter ? 32 : 8);
    const subgroups = (options.subgroups ?? true) && this.device.features.has('subgroups' as GPUFeatureName);
    const rules = { matmulVariant, workgroupSize, elementsPerThread, subgroups };
    this.tuner = new Tuner(rules, this.device.limits, context.adapterIdentity ?? {}, {
      mode: 'off',
      ...(options.tuningBudgetMs !== undefined ? { budgetMs: options.tuningBudgetMs } : {}),
      ...(options.tuningClock ? { now: options.tuningClock } : {}),
      ...(options.tuningMinMultiplyAdds !== undefined
        ? { minMultiplyAdds: options.tuningMinMultiplyAdds }
        : {}),
      timer: options.tuningTimer ?? deviceTimer(this, 10),
      // A lost device may never report its queue idle; the loss ends the wait (and tuning).
      idle: () => Promise.race([this.device.queue.onSubmittedWorkDone(), this.device.lost]),
      lost: () => this.lostError,
    });
    this.env = { ...rules, choices: options.choices ?? this.tuner };
    this.device.lost.then((info) => {
      this.lostError ??= new DeviceLostError(
        this.destroyed
          ? `WebGPU device on ${context.adapterInfo} was destroyed; create a new backend (setBackend('webgpu')) to go on`
          : `WebGPU device on ${context.adapterInfo} was lost (${info.reason}): ${info.message}`,
      );
    });
    this.device.addEventListener('uncapturederror', (event) => {
      const error = (event as GPUUncapturedErrorEvent).error;
      const oom = typeof GPUOutOfMemoryError !== 'undefined' && error instanceof GPUOutOfMemoryError;
      // Either way the device refused work it is still there for: the values of that work do not
      // exist, and fit recovers from its last-good state as from a refused allocation.
      this.report(
        new DeviceAllocationError(
          `WebGPU ${oom ? 'ran out of memory' : 'rejected work'} on ${context.adapterInfo}: ${firstLine(error.message)}`,
        ),
      );
    });
  }

  /**
   * Switches autotuning; the first mode other than 'off' reads the choices earlier sessions
   * persisted for this adapter. 'off' goes back to the built-in rule for kernels recorded from now on.
   */
  async setTuning(mode: TuningMode): Promise<void> {
    this.tuner.mode = mode;
    if (mode === 'off' || this.tuningOpened) return;
    this.tuningOpened = true;
    await this.tuner.open(await resolveTuningStore(this.tuningStore));
  }

  get counters(): WebGPUCounters {
    return {
      ...this.memory,
      pipelinesCreated: this.pipelines.created,
      submits: this.submits,
      dispatches: this.dispatches,
    };
  }

  /** Submits so far: the index the next submit gets. */
  get submitted(): number {
    return this.submits;
  }

  /** Why the device is gone, or null while it works: the one error that ends the backend. */
  get error(): DeviceLostError | null {
    return this.lostError;
  }

  /** 'lost' once the device is gone (getBackendInfo says so); nothing runs on it after that. */
  get state(): 'ready' | 'lost' {
    return this.lostError ? 'lost' : 'ready';
  }

  upload(values: ArrayLike<number>, shape: Shape): GpuStorage {
    this.check();
    const n = sizeOf(shape);
    const label = `tensor ${fmtShape(shape)}`;
    const { value: storage, errors } = withErrorScopes(this.device, () => {
      const storage = this.buffers.storageInScope(n, label);
      if (n > 0) {
        const data = values instanceof Float32Array ? values : Float32Array.from(values);
        this.device.queue.writeBuffer(storage.buffer, 0, data.buffer, data.byteOffset, n * 4);
      }
      return storage;
    });
    storage.track([this.buffers.answer(errors, label, Math.max(n * 4, 4))]);
    return storage;
  }

  run<K extends OpName>(
    op: K,
    inputs: readonly KernelInput<GpuStorage>[],
    outShapes: readonly Shape[],
    params: OpParams[K],
  ): GpuStorage[] {
    this.check();
    // An eager product or convolution tunes its class in the background; this call and those
    // until then keep the rule.
    const tuned = tunedShapeOf(
      op,
      inputs.map((x) => x.shape),
      outShapes[0],
      params,
    );
    if (tuned && this.tuner.wants([tuned])) void this.tuner.request([tuned]);
    const sources = inputs.map((x) => x.storage);
    const failed = sources.findIndex((x) => x.failure !== null);
    if (failed >= 0) {
      throw new DeviceAllocationError(
        `${op}: input ${failed} ${fmtShape(inputs[failed].shape)} holds no values (${sources[failed].failure!.message})`,
      );
    }
    const label = `${op} ${outShapes.map(fmtShape).join(' ')}`;
    const kernel = webgpuKernels[op] as unknown as WebGPUKernel<K>;
    // One pair of scopes for the outputs' allocation, their uniforms, bind groups and submit: what
    // fails spoils these outputs only (and, through `track`, whatever is computed from them).
    const { value: outs, errors } = withErrorScopes(this.device, () => {
      const outs = outShapes.map((shape) =>
        this.buffers.storageInScope(sizeOf(shape), `${op} ${fmtShape(shape)}`),
      );
      const dispatches = kernel(
        inputs.map((x) => ({ buffer: x.storage.buffer, shape: x.shape })),
        outShapes[0],
        params,
        this.env,
      );
      // The kernel's temporaries, all sized before any is made; this call owns them until its submit.
      const scratch = this.buffers.scratch(scratchSizes(dispatches), `${label} scratch`, true);
      try {
        if (this.poisonOutputs) this.poison(outs, outShapes, scratch);
        if (dispatches.length > 0)
          this.submit(
            dispatches,
            outs.map((o) => o.buffer),
            scratch,
          );
      } finally {
        // Destroying a buffer that submitted work uses is valid: WebGPU frees it once that work is done.
        for (const buffer of scratch) this.buffers.releaseScratch(buffer);
      }
      return outs;
    });
    const bytes = outShapes.reduce((total, shape) => total + sizeOf(shape) * 4, 0);
    const answer = this.buffers.answer(errors, label, Math.max(bytes, 4));
    for (const out of outs) out.track([answer, ...sources.map((x) => x.settled)]);
    return outs;
  }

  read(
    storage: GpuStorage | { buffer: GPUBuffer; settled?: Settled; failure?: null },
    size: number,
  ): Promise<Float32Array> {
    return readMany(this, [{ storage, size }]).then(([values]) => values);
  }

  /** Several tensors with one copy, submit and map (read-many.ts); plans pass bare `{ buffer }`s. */
  readMany(entries: readonly ReadEntry[]): Promise<Float32Array[]> {
    return readMany(this, entries);
  }

  /** @internal A readback's copies, submitted in its own error scopes (read-many.ts), and counted. */
  submitReadback(commands: GPUCommandBuffer): void {
    this.device.queue.submit([commands]);
    this.submits++;
  }

  /**
   * @internal Maps a staging buffer a submit has written, then throws the device's loss or, for
   * the readback of a step (`submit`, its index), a failure no tensor owns that came at or before
   * that submit (a plan's allocation, a checked submit, an uncaptured error), so a step's values
   * are never stale. Each is reported once, by the first such step whose readback completes.
   */
  async mapForRead(staging: GPUBuffer, bytes: number, what: string, submit?: number): Promise<void> {
    // Mapping an invalid staging buffer is a validation error: the scope keeps it from going uncaptured.
    const { value: mapping, errors } = withErrorScopes(this.device, () =>
      staging.mapAsync(GPUMapMode.READ, 0, bytes),
    );
    errors.catch(() => undefined);
    try {
      await mapping;
    } catch (e) {
      // A destroyed device rejects pending maps before its \`lost\` promise settles (in a browser,
      // once the GPU process has finished what it was doing, a pipeline compile, say): unless the
      // map itself was invalid, wait for the loss, so the failure is reported as the
      // DeviceLostError that fit recovers from.
      if (!(await errors)) await lossWithin(this, LOSS_WAIT_MS);
      this.check();
      throw new BackendError(`${what} from WebGPU failed: ${(e as Error).message || (e as Error).name}`);
    }
    this.check();
    if (submit === undefined) return;
    await this.buffers.settle();
    const pending = this.pending;
    if (pending && submit >= pending.atSubmit) {
      this.pending = null;
      throw pending.error;
    }
  }

  readSync(): null {
    return null;
  }

  /** The step replayed with one submit per step (step.ts, plan.ts). */
  compile(program: Program, options: CompileOptions<GpuStorage> = {}): CompiledStep<GpuStorage> {
    this.check();
    return new WebGPUStep(this, program, options);
  }

  /**
   * Tunes the products of a step program now, as compiling it would start in the background;
   * resolves once they are settled (never rejects: a failed tuning keeps the rule).
   */
  async tuneFor(program: Program): Promise<void> {
    await this.tuner.request(programTunedShapes(optimizeProgram(program)));
  }

  /** Whether tuneFor(program) would time anything (some of its kernels' classes are not yet settled). */
  wantsTuning(program: Program): boolean {
    return this.tuner.wants(programTunedShapes(optimizeProgram(program)));
  }

  /** Compiles one shader now and throws ShaderCompileError (line, column, source) if it fails. */
  checkShader(shader: { name: string; code: string }): Promise<void> {
    return this.pipelines.check(shader);
  }

  destroy(): void {
    this.destroyed = true;
    this.device.destroy();
  }

  /** Fills the outputs and temporaries with NaN (a test aid), so what a kernel leaves unwritten shows. */
  private poison(outs: readonly GpuStorage[], shapes: readonly Shape[], scratch: readonly GPUBuffer[]): void {
    const fill = (buffer: GPUBuffer, n: number) =>
      this.device.queue.writeBuffer(buffer, 0, new Float32Array(n).fill(Number.NaN));
    shapes.forEach((shape, k) => {
      if (sizeOf(shape) > 0) fill(outs[k].buffer, sizeOf(shape));
    });
    for (const buffer of scratch) fill(buffer, buffer.size / 4);
  }

  private submit(
    dispatches: readonly KernelDispatch[],
    outputs: readonly GPUBuffer[],
    scratch: readonly GPUBuffer[],
  ): void {
    const encoder = this.device.createCommandEncoder();
    const uniforms: GPUBuffer[] = [];
    const pass = encoder.beginComputePass();
    for (const d of dispatches) {
      const written = d.targets ? writtenBuffers(d) : outputs.length;
      const { pipeline, layout } = this.pipelines.get(d.shader, d.constants, d.inputs.length, written);
      const uniform = this.buffers.filled(d.params.bytes, GPUBufferUsage.UNIFORM, 'params');
      uniforms.push(uniform);
      const entries = dispatchBindings(d, outputs, scratch, uniform);
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, this.device.createBindGroup({ layout, entries }));
      pass.dispatchWorkgroups(...workgroupGrid(d.workgroups));
      this.dispatches++;
    }
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    this.submits++;
    for (const u of uniforms) u.destroy();
  }

  /**
   * @internal submits work built elsewhere (the step planner) and counts it. The first submit after
   * new buffers were made (a plan's first step, an export) is checked in error scopes; what they
   * catch is reported by the next readback. Later submits of the same buffers are not checked:
   * scopes cost a round trip, and what a step does to known-good buffers cannot fail validation.
   */
  submitCommands(commands: GPUCommandBuffer): void {
    this.check();
    if (this.buffers.made === this.checkedAt) {
      this.device.queue.submit([commands]);
    } else {
      this.checkedAt = this.buffers.made;
      const submit = this.submits;
      const { errors } = withErrorScopes(this.device, () => this.device.queue.submit([commands]));
      this.buffers.answer(errors, 'the values of a step', 0).then((e) => e && this.report(e, submit));
    }
    this.submits++;
  }

  /** Keeps a failure no tensor owns for the next readback to throw (the first one, or a better one). */
  private report(error: Error, atSubmit = this.submits): void {
    // A compile report says more than the bare validation error that usually arrives first.
    const better =
      error instanceof ShaderCompileError && !(this.pending?.error instanceof ShaderCompileError);
    if (!this.pending) this.pending = { error, atSubmit };
    else if (better) this.pending.error = error;
  }

  /** Throws the device's loss: nothing runs on a lost device. */
  private check(): void {
    if (this.lostError) throw this.lostError;
  }
}
