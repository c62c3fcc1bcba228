/**
 * The WebGPU backend: tensors live in GPU buffers, `run` encodes an op's dispatches and submits
 * them without waiting, `read` copies into a pooled staging buffer and maps it.
 */
import { BackendError, DeviceLostError, fmtShape } from '../../errors';
import type { Backend, KernelInput } from '../../graph/backend';
import type { OpName, OpParams } from '../../graph/op-params';
import type { CompiledStep, CompileOptions } from '../../graph/program/compiled-step';
import type { Program } from '../../graph/program/program';
import { type Shape, sizeOf } from '../../graph/shape';
import { BufferAllocator, type GpuStorage } from './buffers';
import { acquireDevice, type DeviceOptions, type GpuContext } from './device';
import { type GpuHost, workgroupGrid } from './host';
import type { KernelChoices, KernelDispatch, KernelEnv, MatmulVariant, WebGPUKernel } from './kernel-types';
import { webgpuKernels } from './kernels';
import { PipelineCache, ShaderCompileError } from './pipelines';
import { WebGPUStep } from './step';
import { type CandidateTimer, deviceTimer } from './tune/measure';
import { matmulShapeOf } from './tune/shapes';
import { resolveTuningStore, type TuningStoreOption } from './tune/store';
import { Tuner, type TuningMode } from './tune/tuner';

export { workgroupGrid } from './host';

/** The device went away (driver reset, destroy()): the message says why; weights read before are intact. */
export { DeviceLostError };

export interface WebGPUBackendOptions extends DeviceOptions {
  /** Default: 'register' on CPU-emulated (fallback) adapters, 'tiled' on real GPUs. */
  matmulVariant?: MatmulVariant;
  /** Threads per workgroup of the one-element-per-thread kernels (default 64). */
  workgroupSize?: number;
  /**
   * Elements per thread of the elementwise and layout-copy kernels; for tuning per adapter. Default:
   * 32 on CPU-emulated (fallback) adapters, which pay a fixed cost per invocation (20 chained
   * 784x256 kernels on SwiftShader: 8 per thread 51-55 ms, 32 per thread 45-47 ms, 1 per thread 133
   * ms), 8 on real GPUs, which want more threads in flight.
   */
  elementsPerThread?: number;
  /**
   * Autotuning of the matmul kernels (tune/): 'off' keeps the rule above (the default here;
   * setBackend('webgpu') asks for 'quick'), 'quick' times a few candidates per shape class within
   * about 1 s per model, 'thorough' every candidate within 10 s.
   */
  tuning?: TuningMode;
  /** Budget per request (a compiled model, or one eager product), ms. */
  tuningBudgetMs?: number;
  /** Where choices persist: a store, a cache file path (Node), null for memory only; default IndexedDB or the OS cache dir. */
  tuningStore?: TuningStoreOption;
  /** Test aid: times candidates in place of the device, so the tuner's tests never depend on real speed. */
  tuningTimer?: CandidateTimer;
  /** Test aid: the clock the tuning budget is counted on. */
  tuningClock?: () => number;
  /** Test aid: forces kernel choices, so every variant tuning may pick is tested against the CPU. */
  choices?: KernelChoices;
  /** Test aid: fill every op's output with NaN before its kernel runs, so unwritten elements show. */
  poisonOutputs?: boolean;
}

export interface WebGPUCounters {
  buffersCreated: number;
  bytesAllocated: number;
  buffersReleased: number;
  pipelinesCreated: number;
  submits: number;
  dispatches: number;
}

export class WebGPUBackend implements Backend<GpuStorage>, GpuHost {
  readonly name = 'webgpu' as const;
  /** A step is issued before the previous one's loss is read back, so the GPU works while the host waits. */
  readonly pipelineDepth = 1;
  readonly description: string;
  readonly device: GPUDevice;
  readonly env: KernelEnv;
  poisonOutputs: boolean;
  private readonly memory = { buffersCreated: 0, bytesAllocated: 0, buffersReleased: 0 };
  /** @internal shared with the step planner (plan.ts), so its counts show in `counters` */
  readonly buffers: BufferAllocator;
  /** @internal */
  readonly pipelines: PipelineCache;
  private submits = 0;
  private dispatches = 0;
  private failure: Error | null = null;
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
    options: WebGPUBackendOptions = {},
  ) {
    this.device = context.device;
    this.description = `WebGPU (${context.adapterInfo}${context.isFallbackAdapter ? ', CPU-emulated' : ''}, ${context.featureLevel})`;
    const matmulVariant = options.matmulVariant ?? (context.isFallbackAdapter ? 'register' : 'tiled');
    this.poisonOutputs = options.poisonOutputs ?? false;
    this.buffers = new BufferAllocator(this.device, this.memory);
    this.pipelines = new PipelineCache(this.device, (e) => this.fail(e));
    this.tuningStore = options.tuningStore;
    this.tuner = new Tuner({ matmulVariant }, this.device.limits, context.adapterIdentity ?? {}, {
      mode: 'off',
      ...(options.tuningBudgetMs !== undefined ? { budgetMs: options.tuningBudgetMs } : {}),
      ...(options.tuningClock ? { now: options.tuningClock } : {}),
      timer: options.tuningTimer ?? deviceTimer(this, 10),
      idle: () => this.device.queue.onSubmittedWorkDone(),
    });
    this.env = {
      matmulVariant,
      workgroupSize: options.workgroupSize ?? 64,
      elementsPerThread: options.elementsPerThread ?? (context.isFallbackAdapter ? 32 : 8),
      choices: options.choices ?? this.tuner,
    };
    this.device.lost.then((info) => {
      this.fail(
        new DeviceLostError(
          this.destroyed
            ? `WebGPU device on ${context.adapterInfo} was destroyed; create a new backend (setBackend('webgpu')) to go on`
            : `WebGPU device on ${context.adapterInfo} was lost (${info.reason}): ${info.message}`,
        ),
      );
    });
    this.device.addEventListener('uncapturederror', (event) => {
      const error = (event as GPUUncapturedErrorEvent).error;
      this.fail(new BackendError(`WebGPU error on ${context.adapterInfo}: ${error.message}`));
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

  /** The first error seen (device lost, validation, shader compile), or null while healthy. */
  get error(): Error | null {
    return this.failure;
  }

  upload(values: ArrayLike<number>, shape: Shape): GpuStorage {
    this.check('upload');
    const n = sizeOf(shape);
    const storage = this.buffers.storage(n, `tensor ${fmtShape(shape)}`);
    if (n > 0) {
      const data = values instanceof Float32Array ? values : Float32Array.from(values);
      this.device.queue.writeBuffer(storage.buffer, 0, data.buffer, data.byteOffset, n * 4);
    }
    return storage;
  }

  run<K extends OpName>(
    op: K,
    inputs: readonly KernelInput<GpuStorage>[],
    outShapes: readonly Shape[],
    params: OpParams[K],
  ): GpuStorage[] {
    this.check(op);
    const outs = outShapes.map((shape) => this.buffers.storage(sizeOf(shape), `${op} ${fmtShape(shape)}`));
    const kernel = webgpuKernels[op] as unknown as WebGPUKernel<K>;
    // An eager product tunes its class in the background; this call and those until then keep the rule.
    const product = matmulShapeOf(
      op,
      inputs.map((x) => x.shape),
      outShapes[0],
      params,
    );
    if (product && this.tuner.wants([product])) void this.tuner.request([product]);
    const dispatches = kernel(
      inputs.map((x) => ({ buffer: x.storage.buffer, shape: x.shape })),
      outShapes[0],
      params,
      this.env,
    );
    outShapes.forEach((shape, k) => {
      const n = sizeOf(shape);
      if (this.poisonOutputs && n > 0)
        this.device.queue.writeBuffer(outs[k].buffer, 0, new Float32Array(n).fill(Number.NaN));
    });
    if (dispatches.length > 0)
      this.submit(
        dispatches,
        outs.map((o) => o.buffer),
      );
    return outs;
  }

  async read(storage: GpuStorage, size: number): Promise<Float32Array> {
    this.check('read');
    if (size === 0) return new Float32Array(0);
    const source = storage.buffer;
    const bytes = size * 4;
    const staging = this.buffers.acquireStaging(bytes);
    const encoder = this.device.createCommandEncoder({ label: 'readback' });
    encoder.copyBufferToBuffer(source, 0, staging, 0, bytes);
    this.device.queue.submit([encoder.finish()]);
    this.submits++;
    try {
      await staging.mapAsync(GPUMapMode.READ, 0, bytes);
    } catch (e) {
      throw (
        this.failure ??
        new BackendError(`reading a tensor of ${size} elements from WebGPU failed: ${(e as Error).message}`)
      );
    }
    const values = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
    staging.unmap();
    this.buffers.releaseStaging(staging);
    this.check('read');
    return values;
  }

  readSync(): null {
    return null;
  }

  /** The step replayed with one submit per step (step.ts, plan.ts). */
  compile(program: Program, options: CompileOptions<GpuStorage> = {}): CompiledStep<GpuStorage> {
    this.check('compile');
    return new WebGPUStep(this, program, options);
  }

  /** Compiles one shader now and throws ShaderCompileError (line, column, source) if it fails. */
  checkShader(shader: { name: string; code: string }): Promise<void> {
    return this.pipelines.check(shader);
  }

  destroy(): void {
    this.destroyed = true;
    this.device.destroy();
  }

  private submit(dispatches: readonly KernelDispatch[], outputs: readonly GPUBuffer[]): void {
    const encoder = this.device.createCommandEncoder();
    const uniforms: GPUBuffer[] = [];
    const pass = encoder.beginComputePass();
    for (const d of dispatches) {
      const { pipeline, layout } = this.pipelines.get(d.shader, d.constants, d.inputs.length, outputs.length);
      const uniform = this.buffers.filled(d.params.bytes, GPUBufferUsage.UNIFORM, 'params');
      uniforms.push(uniform);
      const buffers = [...d.inputs, ...outputs, uniform];
      const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({
        binding,
        resource: { buffer },
      }));
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

  /** @internal submits work built elsewhere (the step planner) and counts it. */
  submitCommands(commands: GPUCommandBuffer): void {
    this.check('submit');
    this.device.queue.submit([commands]);
    this.submits++;
  }

  private fail(error: Error): void {
    // A compile report says more than the bare validation error that usually arrives first.
    const better = error instanceof ShaderCompileError && !(this.failure instanceof ShaderCompileError);
    if (!this.failure || better) this.failure = error;
  }

  private check(what: string): void {
    if (this.failure) {
      const e = this.failure;
      throw e instanceof BackendError ? e : new BackendError(`${what} on WebGPU: ${e.message}`);
    }
  }
}
