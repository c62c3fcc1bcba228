/**
 * The graph executor: a step function (forward, loss, backward, optimiser update, all written with
 * ordinary ops) is traced once through a recording backend; every intermediate buffer is planned
 * up front with lifetime analysis and reuse; pipelines, uniforms and bind groups are made once;
 * each step then encodes the recorded dispatches into one command encoder and submits once.
 */
import { BackendError, fmtShape, InvalidArgumentError } from '../../errors';
import { withBackend } from '../../graph/engine';
import type { OpName } from '../../graph/op-params';
import { type Shape, shapesEqual, sizeOf } from '../../graph/shape';
import { Tensor } from '../../graph/tensor';
import type { KernelDispatch, WebGPUKernel } from './kernel-types';
import { webgpuKernels } from './kernels';
import { RecordingBackend, type TracedNode, type TracedStorage, type TracedValue } from './trace';
import { type WebGPUBackend, workgroupGrid } from './webgpu-backend';

export interface StepPlanOptions {
  /** Output k replaces input feedback[k] after every step (new weights, optimiser state). */
  feedback?: Readonly<Record<number, number>>;
}

export interface PlanCounters {
  /** Buffers the plan made: inputs, constants, outputs, planned intermediates, uniforms. */
  buffersCreated: number;
  pipelinesCreated: number;
  bytesAllocated: number;
  submits: number;
  steps: number;
  /** Intermediate values in the step, and the buffers they share after lifetime analysis. */
  intermediates: number;
  intermediateBuffers: number;
}

interface Recorded {
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly workgroups: [number, number];
}

export class StepPlan {
  private readonly buffers: GPUBuffer[] = [];
  private readonly dispatches: Recorded[] = [];
  private readonly copies: [GPUBuffer, GPUBuffer, number][] = [];
  private readonly counts: PlanCounters;
  private readonly before: { buffers: number; pipelines: number; bytes: number };

  /**
   * Traces `step` once on inputs of `inputShapes` and builds the plan. `step` is written with
   * ordinary ops (valueAndGrad included) and returns its outputs.
   */
  static build(
    backend: WebGPUBackend,
    inputShapes: readonly Shape[],
    step: (...inputs: Tensor[]) => readonly Tensor[],
    options: StepPlanOptions = {},
  ): StepPlan {
    const recorder = new RecordingBackend();
    const inputs = inputShapes.map(
      (shape) => new Tensor(shape, recorder.add({ kind: 'input', shape }), recorder),
    );
    const outputs = withBackend(recorder, () => step(...inputs));
    for (const t of outputs) {
      if (t.backend !== recorder) {
        throw new BackendError(
          `StepPlan: output ${t} was not computed inside the step (it lives on ${t.backend.description})`,
        );
      }
    }
    return new StepPlan(
      backend,
      recorder,
      outputs.map((t) => (t.storage as TracedStorage).id),
      options,
    );
  }

  private constructor(
    readonly backend: WebGPUBackend,
    traced: RecordingBackend,
    private readonly outputIds: readonly number[],
    options: StepPlanOptions,
  ) {
    const c = backend.counters;
    this.before = { buffers: c.buffersCreated, pipelines: c.pipelinesCreated, bytes: c.bytesAllocated };
    this.values = traced.values;
    const bufferOf = this.planBuffers(traced);
    this.bufferOf = bufferOf;
    for (const node of traced.nodes) this.recordNode(node, bufferOf);
    for (const [k, i] of Object.entries(options.feedback ?? {})) {
      const out = outputIds[Number(k)];
      if (
        out === undefined ||
        this.values[i]?.kind !== 'input' ||
        !shapesEqual(this.values[out].shape, this.values[i].shape)
      ) {
        throw new InvalidArgumentError(
          `StepPlan: feedback ${k} -> ${i} must map an output to an input of the same shape`,
        );
      }
      const from = bufferOf[out];
      const to = bufferOf[i];
      if (from !== to) this.copies.push([from, to, sizeOf(this.values[i].shape) * 4]);
    }
    const after = backend.counters;
    const intermediates = traced.values.filter(
      (v, id) => v.kind === 'node' && !outputIds.includes(id),
    ).length;
    this.counts = {
      buffersCreated: after.buffersCreated - this.before.buffers,
      pipelinesCreated: after.pipelinesCreated - this.before.pipelines,
      bytesAllocated: after.bytesAllocated - this.before.bytes,
      submits: 0,
      steps: 0,
      intermediates,
      intermediateBuffers: this.intermediateBuffers,
    };
  }

  private readonly values: readonly TracedValue[];
  private readonly bufferOf: readonly GPUBuffer[];
  private intermediateBuffers = 0;

  /**
   * One buffer per input, constant and output; intermediates share buffers: a value's buffer goes
   * back to the free list after the last node that reads it, and a node's output never shares a
   * buffer with its own inputs (a buffer may not be bound read-only and writable in one dispatch).
   */
  private planBuffers(traced: RecordingBackend): GPUBuffer[] {
    const { values, nodes } = traced;
    const lastUse = new Array<number>(values.length).fill(-1);
    nodes.forEach((node, i) => {
      for (const v of node.inputs) lastUse[v] = i;
    });
    const persistent = new Set(this.outputIds);
    const bufferOf: GPUBuffer[] = new Array(values.length);
    values.forEach((v, id) => {
      if (v.kind === 'node') return;
      bufferOf[id] = this.create(sizeOf(v.shape), `${v.kind} ${id} ${fmtShape(v.shape)}`);
      if (v.data && v.data.length > 0) {
        this.backend.device.queue.writeBuffer(
          bufferOf[id],
          0,
          v.data.buffer,
          v.data.byteOffset,
          v.data.byteLength,
        );
      }
    });
    const free: GPUBuffer[] = [];
    nodes.forEach((node, i) => {
      const bytes = Math.max(sizeOf(values[node.output].shape) * 4, 4);
      if (persistent.has(node.output)) {
        bufferOf[node.output] = this.create(bytes / 4, `output ${node.output}`);
      } else {
        bufferOf[node.output] = this.takeFree(free, bytes) ?? this.createIntermediate(bytes);
        if (lastUse[node.output] < 0) free.push(bufferOf[node.output]);
      }
      for (const v of new Set(node.inputs)) {
        if (lastUse[v] === i && values[v].kind === 'node' && !persistent.has(v)) free.push(bufferOf[v]);
      }
    });
    return bufferOf;
  }

  /** The smallest free buffer that holds `bytes`, removed from the list. */
  private takeFree(free: GPUBuffer[], bytes: number): GPUBuffer | undefined {
    let best = -1;
    free.forEach((b, k) => {
      if (b.size >= bytes && (best < 0 || b.size < free[best].size)) best = k;
    });
    return best < 0 ? undefined : free.splice(best, 1)[0];
  }

  private createIntermediate(bytes: number): GPUBuffer {
    this.intermediateBuffers++;
    return this.create(bytes / 4, `intermediate ${this.intermediateBuffers}`);
  }

  private create(length: number, label: string): GPUBuffer {
    const buffer = this.backend.buffers.create(
      Math.max(length * 4, 4),
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      label,
    );
    this.buffers.push(buffer);
    return buffer;
  }

  private recordNode(node: TracedNode, bufferOf: readonly GPUBuffer[]): void {
    const kernel = webgpuKernels[node.op] as unknown as WebGPUKernel<OpName>;
    const out = bufferOf[node.output];
    const dispatches: KernelDispatch[] = kernel(
      node.inputs.map((v) => ({ buffer: bufferOf[v], shape: this.values[v].shape })),
      this.values[node.output].shape,
      node.params,
      this.backend.env,
    );
    const device = this.backend.device;
    for (const d of dispatches) {
      const { pipeline, layout } = this.backend.pipelines.get(d.shader, d.constants, d.inputs.length);
      const uniform = this.backend.buffers.filled(
        d.params.bytes,
        GPUBufferUsage.UNIFORM,
        `${node.op} params`,
      );
      this.buffers.push(uniform);
      const entries: GPUBindGroupEntry[] = d.inputs.map((buffer, binding) => ({
        binding,
        resource: { buffer },
      }));
      entries.push({ binding: d.inputs.length, resource: { buffer: out } });
      entries.push({ binding: d.inputs.length + 1, resource: { buffer: uniform } });
      const bindGroup = device.createBindGroup({ label: node.op, layout, entries });
      this.dispatches.push({ pipeline, bindGroup, workgroups: workgroupGrid(d.workgroups) });
    }
  }

  /** Writes new values into input `index` (a batch, say); takes effect from the next step. */
  write(index: number, values: ArrayLike<number>): void {
    const v = this.values[index];
    if (v?.kind !== 'input')
      throw new InvalidArgumentError(`StepPlan.write: ${index} is not an input of the step`);
    if (values.length !== sizeOf(v.shape)) {
      throw new InvalidArgumentError(
        `StepPlan.write: input ${index} ${fmtShape(v.shape)} takes ${sizeOf(v.shape)} values, received ${values.length}`,
      );
    }
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    if (data.length > 0) {
      this.backend.device.queue.writeBuffer(
        this.bufferOf[index],
        0,
        data.buffer,
        data.byteOffset,
        data.byteLength,
      );
    }
  }

  /**
   * Runs the step: every dispatch in one compute pass, the feedback copies, and copies of the
   * outputs named in `read` into staging buffers, all in one command buffer and one submit. The
   * promise resolves with those outputs' values; the next step need not wait for it.
   */
  step(read: readonly number[] = []): Promise<Float32Array[]> {
    const device = this.backend.device;
    const encoder = device.createCommandEncoder({ label: 'step' });
    const pass = encoder.beginComputePass();
    for (const d of this.dispatches) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1]);
    }
    pass.end();
    const staged = read.map((k) => {
      const id = this.outputIds[k];
      if (id === undefined) throw new InvalidArgumentError(`StepPlan.step: there is no output ${k}`);
      const bytes = Math.max(sizeOf(this.values[id].shape) * 4, 4);
      const staging = this.backend.buffers.acquireStaging(bytes);
      encoder.copyBufferToBuffer(this.bufferOf[id], 0, staging, 0, bytes);
      return { staging, bytes, length: sizeOf(this.values[id].shape) };
    });
    for (const [from, to, bytes] of this.copies)
      if (bytes > 0) encoder.copyBufferToBuffer(from, 0, to, 0, bytes);
    this.backend.submitCommands(encoder.finish());
    this.counts.submits++;
    this.counts.steps++;
    return Promise.all(
      staged.map(async ({ staging, bytes, length }) => {
        await staging.mapAsync(GPUMapMode.READ, 0, bytes);
        const values = new Float32Array(staging.getMappedRange(0, bytes).slice(0, length * 4));
        staging.unmap();
        this.backend.buffers.releaseStaging(staging);
        return values;
      }),
    );
  }

  /** The current values of input `index` (the weights after training); a separate submit. */
  readInput(index: number): Promise<Float32Array> {
    const v = this.values[index];
    if (v?.kind !== 'input')
      throw new InvalidArgumentError(`StepPlan.readInput: ${index} is not an input of the step`);
    return this.backend.read({ buffer: this.bufferOf[index] }, sizeOf(v.shape));
  }

  get counters(): PlanCounters {
    return { ...this.counts };
  }

  /** Frees every buffer the plan made. */
  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
  }
}
