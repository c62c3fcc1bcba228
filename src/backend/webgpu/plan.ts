/**
 * WebGPU's lowering of a step program (src/graph/program): every buffer is planned up front with
 * lifetime analysis and reuse (graph/program/slots.ts); pipelines, uniforms and bind groups are
 * made once; each step then encodes the program's dispatches into one command encoder and
 * submits once. State lives in a StateRing (state-ring.ts) the plan reads and writes in place.
 */
import { BackendError, fmtShape, InvalidArgumentError } from '../../errors';
import type { Backend } from '../../graph/backend';
import type { OpName, OpParams } from '../../graph/op-params';
import type { KernelTime, StepCounters } from '../../graph/program/compiled-step';
import { pruneDeadNodes, visibleValues } from '../../graph/program/passes';
import type { Program, ProgramValue } from '../../graph/program/program';
import { fitsPlanOf, planSlots } from '../../graph/program/slots';
import { type BoundState, bindState } from '../../graph/program/state';
import { tracePositional } from '../../graph/program/trace';
import { type Shape, shapesEqual, sizeOf } from '../../graph/shape';
import type { Tensor } from '../../graph/tensor';
import type { GpuHost } from './host';
import type { WebGPUKernel } from './kernel-types';
import { webgpuKernels } from './kernels';
import { profileStep, type Timing } from './plan-profile';
import { ReadbackPool } from './plan-readback';
import { type NodeUniforms, type PlanLayout, PlanScratch, type Recorded, recordNodes } from './plan-record';
import { retuneDispatches } from './plan-retune';
import type { StateRing } from './state-ring';

export type { KernelTime } from '../../graph/program/compiled-step';
export type PlanCounters = StepCounters;
export type { Recorded } from './plan-record';

export interface StepPlanOptions {
  /** Output k replaces input feedback[k] after every step (new weights, optimiser state), by a copy. */
  feedback?: Readonly<Record<number, number>>;
  /**
   * Outputs that step() will read: their staging buffers are made with the plan, two each, so a
   * step can be issued while the previous step's read is still pending.
   */
  reads?: readonly number[];
}

/** How a plan is made from a program: its state ring, the values read back, copies after each step. */
export interface PlanSetup {
  /** Where the program's state lives; required when it has state. */
  readonly ring?: StateRing | null;
  /** Value ids read back by most steps (staging made up front). */
  readonly reads?: readonly number[];
  /** [from, to]: value `from` is copied into input `to` after every step. */
  readonly feedback?: readonly (readonly [number, number])[];
  /**
   * A plan of the same program at a larger batch size whose buffers this one uses for every
   * value but its constants (graph/program/slots.ts `fitsPlanOf`); it must outlive this plan.
   */
  readonly borrow?: StepPlan;
}

type Copy = [GPUBuffer, GPUBuffer, number];

export class StepPlan {
  private readonly buffers: GPUBuffer[] = [];
  /** The kernels' temporaries, shared by every node (plan-record.ts). */
  private readonly scratch: PlanScratch;
  /** In order; `retune` may replace entries. */
  readonly dispatches: Recorded[];
  private readonly copies: Copy[] = [];
  /** Per ring set: state outputs that are not written in place (inputs passed through, duplicates). */
  private readonly stateCopies: Copy[][] = [];
  /** Per recorded node; `retune` may replace entries. */
  private readonly nodeUniforms: NodeUniforms[];
  private readonly layout: PlanLayout;
  private readonly readback: ReadbackPool;
  private readonly counts: StepCounters;
  private readonly values: readonly ProgramValue[];
  /** @internal read by a plan that borrows these buffers */
  readonly bufferOf: readonly (GPUBuffer | undefined)[];
  private readonly ring: StateRing | null;
  private readonly bound: BoundState;
  /** Output positions of the positional form (`build`): value ids. */
  private readonly outputIds: readonly number[];

  /**
   * Traces `step` once on inputs of `inputShapes` and builds the plan: the positional form, where
   * input k and output k are named by their index. `step` is written with ordinary ops
   * (valueAndGrad included) and returns its outputs.
   */
  static build(
    backend: GpuHost & Backend,
    inputShapes: readonly Shape[],
    step: (...inputs: Tensor[]) => readonly Tensor[],
    options: StepPlanOptions = {},
  ): StepPlan {
    const program = tracePositional(inputShapes, step, backend);
    const outputId = (k: number, what: string): number => {
      const id = program.outputs.get(String(k));
      if (id === undefined) throw new InvalidArgumentError(`StepPlan ${what}: there is no output ${k}`);
      return id;
    };
    const feedback = Object.entries(options.feedback ?? {}).map(
      ([k, i]) => [outputId(Number(k), 'feedback'), i] as const,
    );
    return new StepPlan(backend, pruneDeadNodes(program), {
      feedback,
      reads: (options.reads ?? []).map((k) => outputId(k, 'reads')),
    });
  }

  constructor(
    readonly backend: GpuHost,
    readonly program: Program,
    setup: PlanSetup = {},
  ) {
    const before = backend.counters;
    this.scratch = new PlanScratch(backend.buffers);
    this.values = program.values;
    this.outputIds = [...program.outputs.values()];
    this.ring = setup.ring ?? null;
    if (program.state.length > 0) {
      if (!this.ring) throw new InvalidArgumentError(`StepPlan: the program has state but no ring was given`);
      this.ring.checkHolds(program);
    }
    this.bound = bindState(program);
    const visible = visibleValues(program);
    const planned = planSlots(program, visible, this.bound.external);
    const borrow = setup.borrow && fitsPlanOf(program, setup.borrow.program) ? setup.borrow : null;
    const slotBuffers = planned.slots.map((slot) => {
      if (borrow && !slot.data) return undefined;
      const buffer = this.create(slot.bytes / 4, slot.label);
      if (slot.data && slot.data.length > 0)
        backend.device.queue.writeBuffer(
          buffer,
          0,
          slot.data.buffer,
          slot.data.byteOffset,
          slot.data.byteLength,
        );
      return buffer;
    });
    this.bufferOf = planned.slotOf.map((s, id) =>
      s === undefined ? undefined : (slotBuffers[s] ?? borrow!.bufferOf[id]),
    );
    this.layout = {
      values: this.values,
      sets: this.ring?.size ?? 1,
      bound: this.bound,
      bufferAt: (id, p) => this.bufferAt(id, p),
    };
    const recorded = recordNodes(
      backend,
      program.nodes.filter((node) => !planned.aliased.has(node.outputs[0])),
      this.layout,
      this.buffers,
      this.scratch,
    );
    this.dispatches = recorded.dispatches;
    this.nodeUniforms = recorded.nodeUniforms;
    this.planStateCopies();
    for (const [from, to] of setup.feedback ?? []) this.planFeedback(from, to);
    this.readback = new ReadbackPool(backend, this.buffers);
    for (const id of setup.reads ?? []) this.readback.reserve(this.valueBytes(id));
    const after = backend.counters;
    this.counts = {
      buffersCreated: after.buffersCreated - before.buffersCreated,
      pipelinesCreated: after.pipelinesCreated - before.pipelinesCreated,
      bytesAllocated: after.bytesAllocated - before.bytesAllocated,
      submits: 0,
      steps: 0,
      dispatchesPerStep: this.dispatches.length,
      intermediates: program.values.filter((v, id) => v.kind === 'node' && !visible.has(id)).length,
      intermediateBuffers: planned.intermediateSlots,
    };
  }

  private planStateCopies(): void {
    const ring = this.ring;
    if (!ring || this.program.state.length === 0) return;
    for (let p = 0; p < ring.size; p++) {
      const next = ring.sets[(p + 1) % ring.size];
      this.stateCopies.push(
        this.program.state.flatMap((s, j): Copy[] =>
          this.bound.claimed.has(j)
            ? []
            : [[this.bufferAt(s.output, p), next[j], sizeOf(ring.shapes[j]) * 4]],
        ),
      );
    }
  }

  private planFeedback(out: number, input: number): void {
    if (
      this.values[input]?.kind !== 'input' ||
      this.bound.stateIn.has(input) ||
      !shapesEqual(this.values[out].shape, this.values[input].shape)
    ) {
      throw new InvalidArgumentError(
        `StepPlan: feedback ${out} -> ${input} must map an output to an input (not ring state) of the same shape`,
      );
    }
    const from = this.bufferAt(out, 0);
    const to = this.bufferAt(input, 0);
    if (from !== to) this.copies.push([from, to, sizeOf(this.values[input].shape) * 4]);
  }

  /** The buffer holding value `id` in a step that reads ring set `parity`. */
  bufferAt(id: number, parity: number): GPUBuffer {
    const ring = this.ring;
    const input = this.bound.stateIn.get(id);
    if (ring && input !== undefined) return ring.sets[parity][input];
    const output = this.bound.stateOut.get(id);
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
        this.values[node.outputs[0]].shape,
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

  /** Re-chooses the kernels of `ops`' nodes after tuning (plan-retune.ts); returns the dispatches replaced. */
  retune(ops: ReadonlySet<OpName>): number {
    return retuneDispatches(this.backend, this.nodeUniforms, this.dispatches, this.values, ops, (node) =>
      recordNodes(this.backend, [node], this.layout, this.buffers, this.scratch),
    );
  }

  /** Writes new values into input `index` (a batch, say); takes effect from the next step. */
  write(index: number, values: ArrayLike<number>, what = `input ${index}`): void {
    const v = this.values[index];
    if (v?.kind !== 'input' || this.bound.stateIn.has(index))
      throw new InvalidArgumentError(
        `StepPlan.write: ${index} is not an input of the step (ring state is loaded through the ring)`,
      );
    if (values.length !== sizeOf(v.shape)) {
      throw new InvalidArgumentError(
        `StepPlan.write: ${what} ${fmtShape(v.shape)} takes ${sizeOf(v.shape)} values, received ${values.length}`,
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
   * of the outputs named in `read` (positions of the positional form) into staging buffers, all in
   * one command buffer and one submit. With a ring, the step reads its current set and the ring
   * advances. The promise resolves with the outputs read; the next step need not wait for it.
   */
  step(read: readonly number[] = []): Promise<Float32Array[]> {
    return this.run(
      read.map((k) => this.outputAt(k, 'StepPlan.step')),
      null,
    );
  }

  /** `step` reading values by id. */
  stepValues(read: readonly number[]): Promise<Float32Array[]> {
    return this.run(read, null);
  }

  /**
   * Runs one step like `step`, with each dispatch in a compute pass of its own bracketed by GPU
   * timestamps, and resolves with the step's outputs and the GPU time of each op kind (see
   * plan-profile.ts). For measurements, not for training.
   */
  profile(read: readonly number[] = []): Promise<{ outputs: Float32Array[]; kernels: KernelTime[] }> {
    return this.profileValues(read.map((k) => this.outputAt(k, 'StepPlan.profile')));
  }

  /** `profile` reading values by id. */
  profileValues(read: readonly number[]): Promise<{ outputs: Float32Array[]; kernels: KernelTime[] }> {
    return profileStep(this.backend, this.dispatches, (timing) => this.run(read, timing));
  }

  private run(read: readonly number[], timing: Timing | null): Promise<Float32Array[]> {
    const parity = this.ring?.parity ?? 0;
    const device = this.backend.device;
    const encoder = device.createCommandEncoder({ label: 'step' });
    if (timing) timing.encode(encoder, (pass, d) => this.encode(pass, d, parity));
    else {
      const pass = encoder.beginComputePass();
      for (const d of this.dispatches) this.encode(pass, d, parity);
      pass.end();
    }
    for (const [from, to, bytes] of this.stateCopies[parity] ?? [])
      if (bytes > 0) encoder.copyBufferToBuffer(from, 0, to, 0, bytes);
    const staged = read.map((id) =>
      this.readback.stage(encoder, this.bufferAt(id, parity), sizeOf(this.values[id].shape)),
    );
    for (const [from, to, bytes] of this.copies)
      if (bytes > 0) encoder.copyBufferToBuffer(from, 0, to, 0, bytes);
    if (timing) timing.resolve(encoder);
    this.backend.submitCommands(encoder.finish());
    this.ring?.advance();
    this.counts.submits++;
    this.counts.steps++;
    return Promise.all(staged.map((st) => this.readback.resolve(st)));
  }

  private encode(pass: GPUComputePassEncoder, d: Recorded, parity: number): void {
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroups[d.bindGroups.length === 1 ? 0 : parity]);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1]);
  }

  private outputAt(k: number, what: string): number {
    const id = this.outputIds[k];
    if (id === undefined) throw new InvalidArgumentError(`${what}: there is no output ${k}`);
    return id;
  }

  private valueBytes(id: number): number {
    return Math.max(sizeOf(this.values[id].shape) * 4, 4);
  }

  /** The current values of input `index` (the weights after training); a separate submit. */
  readInput(index: number): Promise<Float32Array> {
    const v = this.values[index];
    if (v?.kind !== 'input')
      throw new InvalidArgumentError(`StepPlan.readInput: ${index} is not an input of the step`);
    return this.readValue(index);
  }

  /** The current values of value `id` (an input, a state, a kept output); a separate submit. */
  readValue(id: number): Promise<Float32Array> {
    if (this.bufferAt(id, 0) === undefined) {
      throw new BackendError(
        `StepPlan: value ${id} is not kept after a step (only inputs, state and outputs are)`,
      );
    }
    return this.backend.read(
      { buffer: this.bufferAt(id, this.ring?.parity ?? 0) },
      sizeOf(this.values[id].shape),
    );
  }

  get counters(): StepCounters {
    // A retune may record a node with more or fewer dispatches.
    return { ...this.counts, dispatchesPerStep: this.dispatches.length };
  }

  /** Frees every buffer the plan made (a ring it was given stays with its owner). */
  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
    this.scratch.destroy();
    this.readback.clear();
  }
}
