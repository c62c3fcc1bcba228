/**
 * The training step as a compiled step program: the same trainStep the eager path runs (forward,
 * loss, backward, optimizer update, moving statistics, Dropout) is traced once per batch size
 * into a Program (src/graph/program) and compiled by the model's backend (`Backend.compile`);
 * each batch then only writes its rows into the step's inputs and runs it.
 *
 * The program's inputs are `x`, `y`, `sampleWeights` (with classWeight) and the optimizer's step
 * scalars `scalar.<k>`; its outputs `loss` and `yPred` (when metrics need it); its state every
 * model variable and every optimizer slot, by name (`dense_1.kernel`, `dense_1.kernel.m`). Steps
 * for several batch sizes share their state, so the last, smaller batch switches steps without
 * moving data, and a step issued ahead of its loss being known can be taken back (non-finite
 * loss, stopTraining, abort) by rewinding. Per step, the host writes what varies with the step
 * count: the optimizer's scalars (learning rate from its schedule, bias corrections) and
 * Dropout's step param (so masks equal the eager path's).
 *
 * The model's variables and the optimizer's slots are copied into the step's state when an
 * epoch starts and back when it ends (device-side copies on WebGPU, no readback), so callbacks,
 * validation and checkpoints between epochs see and may change them as on the eager path.
 */

import { BackendError } from '../../errors';
import type { Backend } from '../../graph/backend';
import type { CompiledStep, KernelTime } from '../../graph/program/compiled-step';
import type { Program } from '../../graph/program/program';
import { traceProgram } from '../../graph/program/trace';
import { type Shape, sizeOf } from '../../graph/shape';
import { Tensor } from '../../graph/tensor';
import type { LayerVariable } from '../layers/layer';
import type { Compiled, Sequential } from './sequential';
import { trainStep } from './step';
import type { HostBatch, StepRunner } from './step-runner';

/**
 * Tensors export() gave a model's weights and optimizer slots. They belong to the model (as the
 * design has it, weights live for the model's life, and getWeights hands out copies), so the next
 * store() writes into them rather than allocating a set per epoch that only GC would free.
 */
const storedBySteps = new WeakSet<Tensor>();

export class PlannedTrainer implements StepRunner {
  /** The compiled step per batch size. */
  private readonly steps = new Map<number, CompiledStep>();
  private readonly variables: LayerVariable[];
  /** Optimizer slot names (`dense_1.kernel.m`), in state order after the variables. */
  private readonly slotNames: string[];
  private readonly slotShapes: Shape[];
  private readonly scalarCount: number;
  /** The variables' values when the state was loaded or stored, to see assignments in between. */
  private loaded: Tensor[] = [];

  constructor(
    readonly backend: Backend,
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
  }

  /** @internal the compiled steps by batch size, for executor.ts to free with the model */
  get compiledSteps(): Map<number, CompiledStep> {
    return this.steps;
  }

  /** The backend's pipelining depth: steps issued before the oldest one's loss is read. */
  get depth(): number {
    return this.backend.pipelineDepth;
  }

  private get readsPrediction(): boolean {
    return this.compiled.metrics.length > 0;
  }

  /** The outputs a step reads back: the loss, and the predictions when metrics need them. */
  private get reads(): string[] {
    return this.readsPrediction ? ['loss', 'yPred'] : ['loss'];
  }

  /** The first compiled step (they all share one state), or null before any. */
  private get anyStep(): CompiledStep | null {
    return this.steps.values().next().value ?? null;
  }

  /** load() before any step was compiled: done when the first one is. */
  private pendingLoad = false;

  /** Copies the model's variables and the optimizer's slots (zeros where none yet) into the state. */
  load(): void {
    this.loaded = this.variables.map((v) => v.value);
    const step = this.anyStep;
    this.pendingLoad = step === null;
    if (step) this.loadInto(step);
  }

  private loadInto(step: CompiledStep): void {
    const slots = this.compiled.optimizer.getState().slots;
    const values = new Map<string, Tensor>(this.variables.map((v) => [v.name, v.value]));
    const zeros = new Map<string, Float32Array>();
    this.slotNames.forEach((name, j) => {
      const slot = slots.get(name);
      if (slot) values.set(name, slot);
      else zeros.set(name, new Float32Array(sizeOf(this.slotShapes[j])));
    });
    step.assign(values);
    step.load(zeros);
  }

  /**
   * Copies variables a callback assigned (setWeights) since the state was loaded into the state
   * the next step reads; a step issued before the assignment must be taken back first.
   */
  adoptAssignments(): void {
    const changed = this.assigned();
    if (changed.length === 0) return;
    this.anyStep?.assign(new Map(changed.map((j) => [this.variables[j].name, this.variables[j].value])));
    for (const j of changed) this.loaded[j] = this.variables[j].value;
  }

  /** Whether a callback assigned a variable since the state was loaded (adoptAssignments pending). */
  get hasAssignments(): boolean {
    return this.assigned().length > 0;
  }

  private assigned(): number[] {
    return this.variables.flatMap((v, j) => (v.value === this.loaded[j] ? [] : [j]));
  }

  /**
   * Gives the model and the optimizer copies of the newest state. A value an earlier store()
   * handed out that is still the model's (no setWeights since) is overwritten in place, so epochs
   * after the first allocate nothing; a value from anywhere else gets fresh storage.
   */
  store(): void {
    const step = this.anyStep;
    if (!step) return;
    const optimizer = this.compiled.optimizer;
    const state = optimizer.getState();
    const current = new Map<string, Tensor | undefined>([
      ...this.variables.map((v) => [v.name, v.value] as const),
      ...this.slotNames.map((name) => [name, state.slots.get(name)] as const),
    ]);
    const all = [...current.values()];
    // A tensor holding two states (one slot tensor under two names) cannot take both in place.
    const once = (t: Tensor) => all.indexOf(t) === all.lastIndexOf(t);
    const out = step.export((name) => {
      const old = current.get(name);
      return old !== undefined && once(old) && storedBySteps.has(old) ? old : undefined;
    });
    const tensorOf = (name: string, shape: Shape): Tensor => {
      const storage = out.get(name);
      const old = current.get(name);
      const t = old && old.storage === storage ? old : new Tensor(shape, storage, this.backend);
      storedBySteps.add(t);
      return t;
    };
    for (const v of this.variables) v.value = tensorOf(v.name, v.shape);
    this.loaded = this.variables.map((v) => v.value);
    this.slotNames.forEach((name, j) => {
      state.slots.set(name, tensorOf(name, this.slotShapes[j]));
    });
    optimizer.setState(state);
  }

  /**
   * Issues one training step on `batch` and advances the optimizer's step count; resolves with
   * [loss] or [loss, yPred] once computed. Nothing waits here.
   */
  issue(batch: HostBatch): Promise<Float32Array[]> {
    const step = this.prepareStep(batch);
    const read = step.step(this.reads);
    this.compiled.optimizer.iterations++;
    return read;
  }

  /** Issues one step like `issue`, timing each kernel, where the backend can (WebGPU with timestamps). */
  async profile(batch: HostBatch): Promise<{ outputs: Float32Array[]; kernels: KernelTime[] }> {
    const step = this.prepareStep(batch);
    if (!step.profile) throw new BackendError(`${this.backend.description} cannot profile a step`);
    const result = step.profile(this.reads);
    this.compiled.optimizer.iterations++;
    return result;
  }

  /** Writes a step's batch, optimizer scalars and dropout step into its compiled step. */
  private prepareStep(batch: HostBatch): CompiledStep {
    const step = this.stepFor(batch.rows);
    const optimizer = this.compiled.optimizer;
    step.write('x', batch.x);
    step.write('y', batch.y);
    if (batch.w) step.write('sampleWeights', batch.w);
    optimizer.stepScalars().forEach((s, k) => {
      step.write(`scalar.${k}`, Float32Array.of(s));
    });
    const iteration = optimizer.iterations;
    step.setParams('dropout', (p) => ({ ...p, step: iteration }));
    return step;
  }

  /** Takes back the last `steps` issued steps: the state and step count as before them. */
  rewind(steps: number): void {
    this.anyStep?.rewind(steps);
    this.compiled.optimizer.iterations -= steps;
  }

  /** Compiles the step for batches of `rows` now (fit does it before training, to fall back early). */
  prepare(rows: number): void {
    this.stepFor(rows);
  }

  private stepFor(rows: number): CompiledStep {
    let step = this.steps.get(rows);
    if (!step) {
      const first = this.steps.values().next().value;
      step = this.backend.compile(this.trace(rows), { reads: this.reads, shareStateWith: first });
      this.steps.set(rows, step);
      if (this.pendingLoad) {
        this.pendingLoad = false;
        this.loadInto(step);
      }
    }
    return step;
  }

  /** The step program for batches of `rows`. */
  trace(rows: number): Program {
    const { model, compiled, variables, slotNames } = this;
    const inputs = [
      { name: 'x', shape: [rows, ...this.xShape] },
      { name: 'y', shape: [rows, ...this.yShape] },
      ...(this.hasWeights ? [{ name: 'sampleWeights', shape: [rows] }] : []),
      ...Array.from({ length: this.scalarCount }, (_, k) => ({ name: `scalar.${k}`, shape: [] })),
    ];
    const state = [
      ...variables.map((v) => ({ name: v.name, shape: v.shape })),
      ...slotNames.map((name, j) => ({ name, shape: this.slotShapes[j] })),
    ];
    return traceProgram(
      { inputs, state },
      (input, stateIn) => {
        // The step is computed from its state inputs; the model and its optimizer stay as they are.
        const weights = new Map(variables.map((v) => [v, stateIn.get(v.name)!]));
        const slots = new Map(slotNames.map((name) => [name, stateIn.get(name)!]));
        const w = input.get('sampleWeights') ?? null;
        const step = trainStep(model, compiled, input.get('x')!, input.get('y')!, w, this.seed, {
          weights,
          slots,
        });
        const next = step.next(Array.from({ length: this.scalarCount }, (_, k) => input.get(`scalar.${k}`)!));
        return {
          outputs: [['loss', step.loss], ...(this.readsPrediction ? [['yPred', step.yPred] as const] : [])],
          state: new Map([
            ...variables.map((v) => [v.name, next.values.get(v) ?? weights.get(v)!] as const),
            ...slotNames.map((name) => [name, next.slots.get(name)!] as const),
          ]),
        };
      },
      this.backend,
    );
  }

  /** Counters of every compiled step, summed (buffers, pipelines and submits they made). */
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
    for (const step of this.steps.values()) {
      const c = step.counters;
      submits += c.submits;
      buffersCreated += c.buffersCreated;
      pipelinesCreated += c.pipelinesCreated;
      dispatchesPerStep = Math.max(dispatchesPerStep, c.dispatchesPerStep);
    }
    return { plans: this.steps.size, submits, buffersCreated, pipelinesCreated, dispatchesPerStep };
  }

  destroy(): void {
    for (const step of this.steps.values()) step.destroy();
    this.steps.clear();
  }
}
