/**
 * The training step as a replayed plan on WebGPU (src/backend/webgpu/plan.ts): the same trainStep
 * the eager path runs (forward, loss, backward, optimizer update, moving statistics, Dropout) is
 * traced once per batch size, and each batch then only writes its rows into the plan's inputs
 * and submits once.
 *
 * Inputs of the traced step: [x, y, sampleWeights?, ...optimizer scalars, ...state]; outputs:
 * [loss, yPred (when metrics need it), ...next state]. The state (every model variable, then
 * every optimizer slot) lives in a StateRing that all plans share, so the last, smaller batch
 * switches plans without moving data, and a step issued ahead of its loss being known can be
 * taken back (non-finite loss, stopTraining, abort) by rewinding the ring. Per step, the host
 * writes what varies with the step count: the optimizer's scalars (learning rate from its
 * schedule, bias corrections) and Dropout's step param (so masks equal the eager path's).
 *
 * The model's variables and the optimizer's slots are copied into the ring when an epoch starts
 * and back (device-side copies, no readback) when it ends, so callbacks, validation and
 * checkpoints between epochs see and may change them as on the eager path.
 */

import type { GpuStorage } from '../../backend/webgpu/buffers';
import { type KernelTime, StepPlan } from '../../backend/webgpu/plan';
import { StateRing } from '../../backend/webgpu/state-ring';
import type { WebGPUBackend } from '../../backend/webgpu/webgpu-backend';
import { BackendError } from '../../errors';
import { withBackend } from '../../graph/engine';
import { fill } from '../../graph/ops/index';
import { type Shape, sizeOf } from '../../graph/shape';
import { Tensor } from '../../graph/tensor';
import type { LayerVariable } from '../layers/layer';
import type { Compiled, Sequential } from './sequential';
import { trainStep } from './step';

/**
 * Storage that store() made for a model's weights and optimizer slots. It belongs to the model (as
 * the design has it, weights live for the model's life, and getWeights hands out copies), so the
 * next store() writes into it rather than allocating a set per epoch that only GC would free.
 */
const storedByPlans = new WeakSet<GpuStorage>();

/** One batch as host rows. */
export interface HostBatch {
  x: Float32Array;
  y: Float32Array;
  /** Per-sample loss weights (classWeight), when the run has them. */
  w: Float32Array | null;
  rows: number;
}

export class PlannedTrainer {
  private readonly plans = new Map<number, StepPlan>();
  private readonly ring: StateRing;
  private readonly variables: LayerVariable[];
  /** Optimizer slot names (`dense_1.kernel.m`), in ring order after the variables. */
  private readonly slotNames: string[];
  private readonly slotShapes: Shape[];
  private readonly scalarCount: number;

  constructor(
    readonly backend: WebGPUBackend,
    private readonly model: Sequential,
    private readonly compiled: Compiled,
    private readonly seed: number,
    private readonly hasWeights: boolean,
    private readonly xShape: Shape,
    private readonly yShape: Shape,
  ) {
    const optimizer = compiled.optimizer;
    this.variables = model.variables;
    for (const v of this.variables) {
      if (v.value.backend !== backend) {
        throw new BackendError(
          `planned step: weight ${v.name} lives on ${v.value.backend.description}, not on ${backend.description}`,
        );
      }
    }
    const trainable = model.trainableVariables;
    this.slotNames = trainable.flatMap((v) => optimizer.slotKeys.map((k) => `${v.name}.${k}`));
    this.slotShapes = trainable.flatMap((v) => optimizer.slotKeys.map(() => v.shape));
    this.scalarCount = optimizer.stepScalars().length;
    this.ring = new StateRing(backend, [...this.variables.map((v) => v.shape), ...this.slotShapes]);
  }

  private get readsPrediction(): boolean {
    return this.compiled.metrics.length > 0;
  }

  /** Copies the model's variables and the optimizer's slots (zeros where none yet) into the ring. */
  load(): void {
    const slots = this.compiled.optimizer.getState().slots;
    const zeros = (shape: Shape) => withBackend(this.backend, () => fill(shape, 0));
    const tensors = [
      ...this.variables.map((v) => v.value),
      ...this.slotNames.map((name, j) => slots.get(name) ?? zeros(this.slotShapes[j])),
    ];
    this.ring.load(tensors.map((t, j) => this.bufferOf(t, j)));
    this.loaded = this.variables.map((v) => v.value);
  }

  private bufferOf(t: Tensor, j: number): GPUBuffer {
    if (t.backend !== this.backend) {
      throw new BackendError(
        `planned step: state ${j} lives on ${t.backend.description}, not on ${this.backend.description}`,
      );
    }
    return (t.storage as GpuStorage).buffer;
  }

  /** The variables' values when the ring was loaded or stored, to see assignments in between. */
  private loaded: Tensor[] = [];

  /**
   * Copies variables a callback assigned (setWeights) since the ring was loaded into the set the
   * next step reads; a step issued before the assignment must be taken back first.
   */
  adoptAssignments(): void {
    const changed = this.assigned();
    if (changed.length === 0) return;
    this.ring.loadSome(changed.map((j) => [j, this.bufferOf(this.variables[j].value, j)] as const));
    for (const j of changed) this.loaded[j] = this.variables[j].value;
  }

  /** Whether a callback assigned a variable since the ring was loaded (adoptAssignments pending). */
  get hasAssignments(): boolean {
    return this.assigned().length > 0;
  }

  private assigned(): number[] {
    return this.variables.flatMap((v, j) => (v.value === this.loaded[j] ? [] : [j]));
  }

  /**
   * Gives the model and the optimizer copies of the newest state in the ring. A value an earlier
   * store() handed out that is still the model's (no setWeights since) is overwritten in place, so
   * epochs after the first allocate nothing; a value from anywhere else gets fresh storage.
   */
  store(): void {
    const optimizer = this.compiled.optimizer;
    const state = optimizer.getState();
    const current = [
      ...this.variables.map((v) => v.value),
      ...this.slotNames.map((name) => state.slots.get(name)),
    ];
    // A tensor holding two states (one slot tensor under two names) cannot take both in place.
    const once = (t: Tensor) => current.indexOf(t) === current.lastIndexOf(t);
    const set = this.ring.sets[this.ring.parity];
    const encoder = this.backend.device.createCommandEncoder({ label: 'state store' });
    const out = this.ring.shapes.map((shape, j) => {
      const old = current[j];
      const reuse =
        old !== undefined && once(old) && storedByPlans.has(old.storage as GpuStorage) ? old : null;
      const t =
        reuse ?? new Tensor(shape, this.backend.buffers.storage(sizeOf(shape), `state ${j}`), this.backend);
      storedByPlans.add(t.storage as GpuStorage);
      if (sizeOf(shape) > 0)
        encoder.copyBufferToBuffer(set[j], 0, (t.storage as GpuStorage).buffer, 0, sizeOf(shape) * 4);
      return t;
    });
    this.backend.submitCommands(encoder.finish());
    this.variables.forEach((v, j) => {
      v.value = out[j];
    });
    this.loaded = this.variables.map((v) => v.value);
    this.slotNames.forEach((name, j) => {
      state.slots.set(name, out[this.variables.length + j]);
    });
    optimizer.setState(state);
  }

  /**
   * Issues one training step on `batch` and advances the optimizer's step count; resolves with
   * [loss] or [loss, yPred] once the GPU has run it. Nothing waits here.
   */
  issue(batch: HostBatch): Promise<Float32Array[]> {
    const plan = this.prepareStep(batch);
    const read = plan.step(this.reads);
    this.compiled.optimizer.iterations++;
    return read;
  }

  /**
   * Issues one step like `issue`, timing each kernel with GPU timestamps (StepPlan.profile): for
   * measurements on adapters with 'timestamp-query'.
   */
  async profile(batch: HostBatch): Promise<{ outputs: Float32Array[]; kernels: KernelTime[] }> {
    const plan = this.prepareStep(batch);
    const result = plan.profile(this.reads);
    this.compiled.optimizer.iterations++;
    return result;
  }

  /** The outputs a step reads back: the loss, and the predictions when metrics need them. */
  private get reads(): number[] {
    return this.readsPrediction ? [0, 1] : [0];
  }

  /** Writes a step's batch, optimizer scalars and dropout step into its plan. */
  private prepareStep(batch: HostBatch): StepPlan {
    const plan = this.planFor(batch.rows);
    const optimizer = this.compiled.optimizer;
    plan.write(0, batch.x);
    plan.write(1, batch.y);
    if (batch.w) plan.write(2, batch.w);
    const first = this.hasWeights ? 3 : 2;
    optimizer.stepScalars().forEach((s, k) => {
      plan.write(first + k, Float32Array.of(s));
    });
    const step = optimizer.iterations;
    plan.setParams('dropout', (p) => ({ ...p, step }));
    return plan;
  }

  /** Takes back the last `steps` issued steps: the state and step count as before them. */
  rewind(steps: number): void {
    this.ring.rewind(steps);
    this.compiled.optimizer.iterations -= steps;
  }

  /** Builds the plan for batches of `rows` now (fit does it before training, to fall back early). */
  prepare(rows: number): void {
    this.planFor(rows);
  }

  private planFor(rows: number): StepPlan {
    let plan = this.plans.get(rows);
    if (!plan) {
      plan = this.build(rows);
      this.plans.set(rows, plan);
    }
    return plan;
  }

  private build(rows: number): StepPlan {
    const { model, compiled, variables, slotNames } = this;
    const optimizer = compiled.optimizer;
    const lead = (this.hasWeights ? 3 : 2) + this.scalarCount;
    const stateCount = variables.length + slotNames.length;
    const shapes: Shape[] = [
      [rows, ...this.xShape],
      [rows, ...this.yShape],
      ...(this.hasWeights ? [[rows]] : []),
      ...Array.from({ length: this.scalarCount }, (): Shape => []),
      ...this.ring.shapes,
    ];
    const outputsBefore = this.readsPrediction ? 2 : 1;
    const traced = (...inputs: Tensor[]): Tensor[] => {
      const [x, y] = inputs;
      const w = this.hasWeights ? inputs[2] : null;
      const scalars = inputs.slice(lead - this.scalarCount, lead);
      const state = inputs.slice(lead);
      const values = variables.map((v) => v.value);
      const saved = optimizer.getState();
      try {
        variables.forEach((v, j) => {
          v.value = state[j];
        });
        const slots = new Map(saved.slots);
        slotNames.forEach((name, j) => {
          slots.set(name, state[variables.length + j]);
        });
        optimizer.setState({ iterations: saved.iterations, slots });
        const step = trainStep(model, compiled, x, y, w, this.seed);
        step.commit(scalars);
        const next = optimizer.getState().slots;
        return [
          step.loss,
          ...(this.readsPrediction ? [step.yPred] : []),
          ...variables.map((v) => v.value),
          ...slotNames.map((name) => next.get(name)!),
        ];
      } finally {
        variables.forEach((v, j) => {
          v.value = values[j];
        });
        optimizer.setState(saved);
      }
    };
    const state = Array.from({ length: stateCount }, (_, j) => j);
    return StepPlan.build(this.backend, shapes, traced, {
      state: {
        ring: this.ring,
        inputs: state.map((j) => lead + j),
        outputs: state.map((j) => outputsBefore + j),
      },
      reads: this.readsPrediction ? [0, 1] : [0],
    });
  }

  /** Counters of every plan, summed (buffers, pipelines and submits the plans made). */
  get counters(): {
    plans: number;
    submits: number;
    buffersCreated: number;
    pipelinesCreated: number;
    dispatchesPerStep: number;
  } {
    let dispatchesPerStep = 0;
    let submits = 0;
    let buffersCreated = 0;
    let pipelinesCreated = 0;
    for (const plan of this.plans.values()) {
      const c = plan.counters;
      submits += c.submits;
      buffersCreated += c.buffersCreated;
      pipelinesCreated += c.pipelinesCreated;
      dispatchesPerStep = Math.max(dispatchesPerStep, c.dispatchesPerStep);
    }
    return { plans: this.plans.size, submits, buffersCreated, pipelinesCreated, dispatchesPerStep };
  }

  destroy(): void {
    for (const plan of this.plans.values()) plan.destroy();
    this.plans.clear();
    this.ring.destroy();
  }
}
