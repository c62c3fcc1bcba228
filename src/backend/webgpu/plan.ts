/**
 * The graph executor: a step function (forward, loss, backward, optimiser update, all written with
 * ordinary ops) is traced once through a recording backend; every intermediate buffer is planned
 * up front with lifetime analysis and reuse; pipelines, uniforms and bind groups are made once;
 * each step then encodes the recorded dispatches into one command encoder and submits once.
 */
import { BackendError, fmtShape, InvalidArgumentError } from '../../errors';
import { withBackend } from '../../graph/engine';
import type { OpName, OpParams } from '../../graph/op-params';
import { type Shape, shapesEqual, sizeOf } from '../../graph/shape';
import { Tensor } from '../../graph/tensor';
import type { GpuInput, KernelDispatch, WebGPUKernel } from './kernel-types';
import { webgpuKernels } from './kernels';
import { adamStep } from './kernels/optimizer';
import { planBuffers } from './plan-buffers';
import { bindState, type PlanStateBinding } from './plan-state';
import type { StateRing } from './state-ring';
import {
  pruneDeadNodes,
  RecordingBackend,
  type TracedNode,
  type TracedStorage,
  type TracedValue,
} from './trace';
import { type WebGPUBackend, workgroupGrid } from './webgpu-backend';

export type { PlanStateBinding } from './plan-state';

export interface StepPlanOptions {
  /** Output k replaces input feedback[k] after every step (new weights, optimiser state), by a copy. */
  feedback?: Readonly<Record<number, number>>;
  /** State kept in a ring shared with other plans: no copies, and steps can be taken back. */
  state?: PlanStateBinding;
  /**
   * Outputs that step() will read: their staging buffers are made with the plan, two each, so a
   * step can be issued while the previous step's read is still pending.
   */
  reads?: readonly number[];
}

export interface PlanCounters {
  /** Buffers the plan made: inputs, constants, outputs, planned intermediates, uniforms, staging. */
  buffersCreated: number;
  pipelinesCreated: number;
  bytesAllocated: number;
  submits: number;
  steps: number;
  /** Compute dispatches encoded in each step. */
  dispatchesPerStep: number;
  /** Intermediate values in the step, and the buffers they share after lifetime analysis. */
  intermediates: number;
  intermediateBuffers: number;
}

/**
 * Nodes i..i+2 when they are one weight's Adam parts m, v and w (the same inputs and constants)
 * whose outputs live in the state ring: one pass writes all three (shaders/adam-step.wgsl). Ring
 * buffers are outside the plan's buffer reuse, so writing v' and w' at m's place clobbers nothing
 * a later node reads, and no node sits between the three to read them early.
 */
function adamParts(
  nodes: readonly TracedNode[],
  i: number,
  external: ReadonlySet<number>,
): TracedNode[] | null {
  const group = nodes.slice(i, i + 3);
  if (group.length < 3 || group.some((n) => n.op !== 'adamUpdate' || !external.has(n.output))) return null;
  const params = group.map((n) => n.params as OpParams['adamUpdate']);
  if (params.map((p) => p.part).join() !== 'm,v,w') return null;
  const [first] = params;
  const sameCall = group.every(
    (n, k) =>
      n.inputs.every((v, j) => v === group[0].inputs[j]) &&
      params[k].beta1 === first.beta1 &&
      params[k].beta2 === first.beta2 &&
      params[k].epsilon === first.epsilon,
  );
  return sameCall ? group : null;
}

/** GPU time of one op kind in a profiled step (`StepPlan.profile`). */
export interface KernelTime {
  readonly op: OpName;
  /** Dispatches of this op in the step. */
  dispatches: number;
  ms: number;
}

/** The query set and buffers of a profiled step. */
interface Timing {
  readonly querySet: GPUQuerySet;
  readonly resolved: GPUBuffer;
  readonly staging: GPUBuffer;
}

interface Recorded {
  /** The op whose kernel this dispatch belongs to (for `profile`). */
  readonly op: OpName;
  readonly pipeline: GPUComputePipeline;
  /** One per ring set when the dispatch touches state, else one. */
  readonly bindGroups: readonly GPUBindGroup[];
  readonly workgroups: [number, number];
}

/** A node whose params may be replaced between steps: the uniforms its dispatches read. */
interface NodeUniforms {
  readonly node: TracedNode;
  readonly inputs: readonly GpuInput[];
  readonly uniforms: readonly GPUBuffer[];
}

export class StepPlan {
  private readonly buffers: GPUBuffer[] = [];
  private readonly dispatches: Recorded[] = [];
  private readonly copies: [GPUBuffer, GPUBuffer, number][] = [];
  /** Per ring set: state outputs that are not written in place (inputs passed through, duplicates). */
  private readonly stateCopies: [GPUBuffer, GPUBuffer, number][][] = [];
  private readonly nodeUniforms: NodeUniforms[] = [];
  private readonly staging = new Map<number, GPUBuffer[]>();
  private readonly counts: PlanCounters;
  private readonly values: readonly TracedValue[];
  private readonly bufferOf: readonly (GPUBuffer | undefined)[];
  private readonly ring: StateRing | null;
  /** Value id -> state index, for state inputs and for node outputs written into the ring. */
  private readonly stateIn: ReadonlyMap<number, number>;
  private readonly stateOut: ReadonlyMap<number, number>;

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
    const outputIds = outputs.map((t) => (t.storage as TracedStorage).id);
    pruneDeadNodes(recorder, outputIds);
    return new StepPlan(backend, recorder, outputIds, options);
  }

  private constructor(
    readonly backend: WebGPUBackend,
    traced: RecordingBackend,
    private readonly outputIds: readonly number[],
    options: StepPlanOptions,
  ) {
    const before = backend.counters;
    this.values = traced.values;
    this.ring = options.state?.ring ?? null;
    const { stateIn, stateOut, claimed } = bindState(this.values, outputIds, options.state);
    this.stateIn = stateIn;
    this.stateOut = stateOut;
    const external = new Set([...this.stateIn.keys(), ...this.stateOut.keys()]);
    const planned = planBuffers(
      traced,
      new Set(outputIds),
      external,
      (length, label) => this.create(length, label),
      (buffer, data) =>
        backend.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength),
    );
    this.bufferOf = planned.bufferOf;
    this.recordNodes(
      traced.nodes.filter((node) => !planned.aliased.has(node.output)),
      external,
    );
    this.planStateCopies(options.state, claimed);
    this.planFeedback(options.feedback ?? {});
    for (const k of options.reads ?? []) {
      const bytes = this.outputBytes(k, 'StepPlan reads');
      const list = this.staging.get(bytes) ?? [];
      list.push(this.newStaging(bytes), this.newStaging(bytes));
      this.staging.set(bytes, list);
    }
    const after = backend.counters;
    this.counts = {
      buffersCreated: after.buffersCreated - before.buffersCreated,
      pipelinesCreated: after.pipelinesCreated - before.pipelinesCreated,
      bytesAllocated: after.bytesAllocated - before.bytesAllocated,
      submits: 0,
      steps: 0,
      dispatchesPerStep: this.dispatches.length,
      intermediates: traced.values.filter((v, id) => v.kind === 'node' && !outputIds.includes(id)).length,
      intermediateBuffers: planned.intermediateBuffers,
    };
  }

  private planStateCopies(state: PlanStateBinding | undefined, claimed: ReadonlySet<number>): void {
    if (!state) return;
    for (let p = 0; p < state.ring.size; p++) {
      const next = state.ring.sets[(p + 1) % state.ring.size];
      this.stateCopies.push(
        state.outputs.flatMap((k, j) =>
          claimed.has(j)
            ? []
            : [[this.bufferAt(this.outputIds[k], p), next[j], sizeOf(state.ring.shapes[j]) * 4]],
        ),
      );
    }
  }

  private planFeedback(feedback: Readonly<Record<number, number>>): void {
    for (const [k, i] of Object.entries(feedback)) {
      const out = this.outputIds[Number(k)];
      if (
        out === undefined ||
        this.values[i]?.kind !== 'input' ||
        this.stateIn.has(i) ||
        !shapesEqual(this.values[out].shape, this.values[i].shape)
      ) {
        throw new InvalidArgumentError(
          `StepPlan: feedback ${k} -> ${i} must map an output to an input (not ring state) of the same shape`,
        );
      }
      const from = this.bufferAt(out, 0);
      const to = this.bufferAt(i, 0);
      if (from !== to) this.copies.push([from, to, sizeOf(this.values[i].shape) * 4]);
    }
  }

  /** The buffer holding value `id` in a step that reads ring set `parity`. */
  private bufferAt(id: number, parity: number): GPUBuffer {
    const ring = this.ring;
    const input = this.stateIn.get(id);
    if (ring && input !== undefined) return ring.sets[parity][input];
    const output = this.stateOut.get(id);
    if (ring && output !== undefined) return ring.sets[(parity + 1) % ring.size][output];
    return this.bufferOf[id]!;
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

  /** Records each node's dispatches; a weight's three Adam parts become one three-output pass. */
  private recordNodes(nodes: readonly TracedNode[], external: ReadonlySet<number>): void {
    const env = this.backend.env;
    for (let i = 0; i < nodes.length; i++) {
      const parts = adamParts(nodes, i, external);
      if (parts) {
        const { part: _, ...params } = parts[0].params as OpParams['adamUpdate'];
        this.record(
          parts[0],
          parts.map((n) => n.output),
          (inputs) => adamStep(inputs, params, env),
        );
        i += parts.length - 1;
        continue;
      }
      const node = nodes[i];
      const kernel = webgpuKernels[node.op] as unknown as WebGPUKernel<OpName>;
      this.record(node, [node.output], (inputs) =>
        kernel(inputs, this.values[node.output].shape, node.params, env),
      );
    }
  }

  /** The dispatches `kernel` gives for `node`'s inputs, bound to write `outputs`, once per ring set it touches. */
  private record(
    node: TracedNode,
    outputs: readonly number[],
    kernel: (inputs: GpuInput[]) => KernelDispatch[],
  ): void {
    const touchesState = [...outputs, ...node.inputs].some(
      (v) => this.stateIn.has(v) || this.stateOut.has(v),
    );
    const sets = touchesState && this.ring ? this.ring.size : 1;
    const device = this.backend.device;
    const perSet = Array.from({ length: sets }, (_, p) => {
      const inputs = node.inputs.map((v) => ({ buffer: this.bufferAt(v, p), shape: this.values[v].shape }));
      return { inputs, dispatches: kernel(inputs) };
    });
    const uniforms = perSet[0].dispatches.map((d) => {
      const uniform = this.backend.buffers.filled(
        d.params.bytes,
        GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
        `${node.op} params`,
      );
      this.buffers.push(uniform);
      return uniform;
    });
    if (outputs.length === 1) this.nodeUniforms.push({ node, inputs: perSet[0].inputs, uniforms });
    perSet[0].dispatches.forEach((d0, k) => {
      const written = d0.outputs ?? 1;
      const { pipeline, layout } = this.backend.pipelines.get(
        d0.shader,
        d0.constants,
        d0.inputs.length,
        written,
      );
      const bindGroups = perSet.map(({ dispatches }, p) => {
        const d: KernelDispatch = dispatches[k];
        const buffers = [...d.inputs, ...outputs.map((v) => this.bufferAt(v, p)), uniforms[k]];
        const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({
          binding,
          resource: { buffer },
        }));
        return device.createBindGroup({ label: node.op, layout, entries });
      });
      this.dispatches.push({ op: node.op, pipeline, bindGroups, workgroups: workgroupGrid(d0.workgroups) });
    });
  }

  /**
   * Replaces the params of every `op` node from the next step on (Dropout's step counter): the
   * kernel's uniforms are rewritten in place. The new params must select the same shaders.
   */
  setParams<K extends OpName>(op: K, update: (params: OpParams[K]) => OpParams[K]): void {
    const kernel = webgpuKernels[op] as unknown as WebGPUKernel<K>;
    for (const { node, inputs, uniforms } of this.nodeUniforms) {
      if (node.op !== op) continue;
      const dispatches = kernel(
        inputs,
        this.values[node.output].shape,
        update(node.params as OpParams[K]),
        this.backend.env,
      );
      if (dispatches.length !== uniforms.length) {
        throw new InvalidArgumentError(
          `StepPlan.setParams(${op}): the new params need ${dispatches.length} dispatches, the plan recorded ${uniforms.length}`,
        );
      }
      dispatches.forEach((d, k) => {
        this.backend.device.queue.writeBuffer(uniforms[k], 0, d.params.bytes);
      });
    }
  }

  /** Writes new values into input `index` (a batch, say); takes effect from the next step. */
  write(index: number, values: ArrayLike<number>): void {
    const v = this.values[index];
    if (v?.kind !== 'input' || this.stateIn.has(index))
      throw new InvalidArgumentError(
        `StepPlan.write: ${index} is not an input of the step (ring state is loaded through the ring)`,
      );
    if (values.length !== sizeOf(v.shape)) {
      throw new InvalidArgumentError(
        `StepPlan.write: input ${index} ${fmtShape(v.shape)} takes ${sizeOf(v.shape)} values, received ${values.length}`,
      );
    }
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    if (data.length > 0) {
      this.backend.device.queue.writeBuffer(
        this.bufferOf[index]!,
        0,
        data.buffer,
        data.byteOffset,
        data.byteLength,
      );
    }
  }

  /**
   * Runs the step: every dispatch in one compute pass, the state and feedback copies, and copies
   * of the outputs named in `read` into staging buffers, all in one command buffer and one submit.
   * With a ring, the step reads its current set and the ring advances. The promise resolves with
   * the outputs read; the next step need not wait for it.
   */
  step(read: readonly number[] = []): Promise<Float32Array[]> {
    return this.run(read, null);
  }

  /**
   * Runs one step like `step`, with each dispatch in a compute pass of its own bracketed by GPU
   * timestamps, and resolves with the step's outputs and the GPU time of each op kind (summed
   * over its dispatches, most first): where a step's time goes. Needs the 'timestamp-query'
   * feature (the backend asks for it where the adapter has it); the extra passes and the query
   * readback make this step slower than `step`, so it is for measurements, not for training.
   */
  async profile(read: readonly number[] = []): Promise<{ outputs: Float32Array[]; kernels: KernelTime[] }> {
    const device = this.backend.device;
    if (!device.features.has('timestamp-query')) {
      throw new BackendError(
        "StepPlan.profile: this device has no 'timestamp-query' feature, so kernel times cannot be measured",
      );
    }
    const count = this.dispatches.length * 2;
    const querySet = device.createQuerySet({ type: 'timestamp', count });
    const resolved = this.backend.buffers.create(
      count * 8,
      GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
      'profile timestamps',
    );
    const staging = this.backend.buffers.create(
      count * 8,
      GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      'profile readback',
    );
    try {
      const outputs = await this.run(read, { querySet, resolved, staging });
      await staging.mapAsync(GPUMapMode.READ);
      const ticks = new BigUint64Array(staging.getMappedRange().slice(0));
      staging.unmap();
      const byOp = new Map<string, KernelTime>();
      this.dispatches.forEach((d, k) => {
        const ms = Number(ticks[2 * k + 1] - ticks[2 * k]) / 1e6;
        const entry = byOp.get(d.op) ?? { op: d.op, dispatches: 0, ms: 0 };
        entry.dispatches++;
        entry.ms += ms;
        byOp.set(d.op, entry);
      });
      return { outputs, kernels: [...byOp.values()].sort((a, b) => b.ms - a.ms) };
    } finally {
      querySet.destroy();
      resolved.destroy();
      staging.destroy();
    }
  }

  private run(read: readonly number[], timing: Timing | null): Promise<Float32Array[]> {
    const parity = this.ring?.parity ?? 0;
    const device = this.backend.device;
    const encoder = device.createCommandEncoder({ label: 'step' });
    if (timing) {
      this.dispatches.forEach((d, k) => {
        const pass = encoder.beginComputePass({
          timestampWrites: {
            querySet: timing.querySet,
            beginningOfPassWriteIndex: 2 * k,
            endOfPassWriteIndex: 2 * k + 1,
          },
        });
        this.encode(pass, d, parity);
        pass.end();
      });
      encoder.resolveQuerySet(timing.querySet, 0, this.dispatches.length * 2, timing.resolved, 0);
      encoder.copyBufferToBuffer(timing.resolved, 0, timing.staging, 0, this.dispatches.length * 16);
    } else {
      const pass = encoder.beginComputePass();
      for (const d of this.dispatches) this.encode(pass, d, parity);
      pass.end();
    }
    for (const [from, to, bytes] of this.stateCopies[parity] ?? [])
      if (bytes > 0) encoder.copyBufferToBuffer(from, 0, to, 0, bytes);
    const staged = read.map((k) => {
      const bytes = this.outputBytes(k, 'StepPlan.step');
      const staging = this.staging.get(bytes)?.pop() ?? this.newStaging(bytes);
      encoder.copyBufferToBuffer(this.bufferAt(this.outputIds[k], parity), 0, staging, 0, bytes);
      return { staging, bytes, length: sizeOf(this.values[this.outputIds[k]].shape) };
    });
    for (const [from, to, bytes] of this.copies)
      if (bytes > 0) encoder.copyBufferToBuffer(from, 0, to, 0, bytes);
    this.backend.submitCommands(encoder.finish());
    this.ring?.advance();
    this.counts.submits++;
    this.counts.steps++;
    return Promise.all(
      staged.map(async ({ staging, bytes, length }) => {
        await staging.mapAsync(GPUMapMode.READ, 0, bytes);
        const values = new Float32Array(staging.getMappedRange(0, bytes).slice(0, length * 4));
        staging.unmap();
        this.staging.get(bytes)?.push(staging) ?? this.staging.set(bytes, [staging]);
        return values;
      }),
    );
  }

  private encode(pass: GPUComputePassEncoder, d: Recorded, parity: number): void {
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroups[d.bindGroups.length === 1 ? 0 : parity]);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1]);
  }

  private outputBytes(k: number, what: string): number {
    const id = this.outputIds[k];
    if (id === undefined) throw new InvalidArgumentError(`${what}: there is no output ${k}`);
    return Math.max(sizeOf(this.values[id].shape) * 4, 4);
  }

  private newStaging(bytes: number): GPUBuffer {
    const buffer = this.backend.buffers.create(
      bytes,
      GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      'plan readback',
    );
    this.buffers.push(buffer);
    return buffer;
  }

  /** The current values of input `index` (the weights after training); a separate submit. */
  readInput(index: number): Promise<Float32Array> {
    const v = this.values[index];
    if (v?.kind !== 'input')
      throw new InvalidArgumentError(`StepPlan.readInput: ${index} is not an input of the step`);
    return this.backend.read({ buffer: this.bufferAt(index, this.ring?.parity ?? 0) }, sizeOf(v.shape));
  }

  get counters(): PlanCounters {
    return { ...this.counts };
  }

  /** Frees every buffer the plan made (a ring it was given stays with its owner). */
  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
    this.staging.clear();
  }
}
