/**
 * WebGPU's compiled step (Backend.compile): the program after the shared passes, planned as a
 * StepPlan (plan.ts) whose state lives in a StateRing (state-ring.ts). Steps compiled for other
 * batch sizes of the same model share the ring, so the last, smaller batch switches steps
 * without moving data.
 */
import { fmtShape, InvalidArgumentError, ShapeError } from '../../errors';
import type { Backend } from '../../graph/backend';
import type { OpName, OpParams } from '../../graph/op-params';
import type {
  CompiledStep,
  CompileOptions,
  KernelTime,
  StepCounters,
  StoredValue,
} from '../../graph/program/compiled-step';
import { optimizeProgram } from '../../graph/program/passes';
import { inputId, outputId, type Program, stateIndex } from '../../graph/program/program';
import { type Shape, shapesEqual, sizeOf } from '../../graph/shape';
import type { GpuStorage } from './buffers';
import type { GpuHost } from './host';
import { StepPlan } from './plan';
import { StateRing } from './state-ring';
import { programTunedShapes, TUNED_OPS } from './tune/shapes';

/** A ring and how many steps use it: the last one destroyed frees it. */
interface SharedRing {
  readonly ring: StateRing;
  users: number;
}

export class WebGPUStep implements CompiledStep<GpuStorage> {
  readonly program: Program;
  private readonly plan: StepPlan;
  private readonly shared: SharedRing;
  /** Set when tuning has chosen new kernels for this step's products; applied before the next step. */
  private retunePending = false;
  private destroyed = false;

  constructor(
    private readonly backend: GpuHost & Backend<GpuStorage>,
    program: Program,
    options: CompileOptions<GpuStorage>,
  ) {
    this.program = optimizeProgram(program);
    const shapes = program.state.map((s) => program.values[s.input].shape);
    const other = options.shareStateWith;
    if (other) {
      if (!(other instanceof WebGPUStep) || other.backend !== backend)
        throw new InvalidArgumentError('compile(shareStateWith): the step was compiled by another backend');
      other.program.state.forEach((s, j) => {
        const p = program.state[j];
        if (p?.name !== s.name || !shapesEqual(shapes[j], other.shared.ring.shapes[j]))
          throw new InvalidArgumentError(
            `compile(shareStateWith): state ${j} is '${p?.name}' ${fmtShape(shapes[j] ?? [])} here, '${s.name}' there`,
          );
      });
      this.shared = other.shared;
    } else this.shared = { ring: new StateRing(backend, shapes), users: 0 };
    this.plan = new StepPlan(backend, this.program, {
      ring: this.shared.ring,
      // The last, smaller batch keeps its values in the full batch's buffers.
      borrow: other instanceof WebGPUStep ? other.plan : undefined,
      reads: (options.reads ?? []).map((name) => outputId(this.program, name)),
    });
    this.shared.users++;
    // Tuning runs beside the first steps, which keep the rule; its choices apply from the step after.
    this.backend.tuner?.request(programTunedShapes(this.program)).then((changed) => {
      if (changed && !this.destroyed) this.retunePending = true;
    });
  }

  /** Swaps in the kernels tuning chose (plan-retune.ts), once, before the step that follows. */
  private applyTuning(): void {
    if (!this.retunePending) return;
    this.retunePending = false;
    this.plan.retune(TUNED_OPS);
  }

  private get ring(): StateRing {
    return this.shared.ring;
  }

  write(name: string, values: ArrayLike<number>): void {
    this.plan.write(inputId(this.program, name), values, `input '${name}'`);
  }

  setParams<K extends OpName>(op: K, update: (params: OpParams[K]) => OpParams[K]): void {
    this.applyTuning();
    this.plan.setParams(op, update);
  }

  step(reads: readonly string[] = []): Promise<Float32Array[]> {
    this.applyTuning();
    const read = this.plan.stepValues(reads.map((name) => outputId(this.program, name)));
    // Steps are issued ahead of being awaited (pipelining): one that fails (the device lost, a
    // refused submit) rejects for whoever awaits it, not as an unhandled rejection before that.
    read.catch(() => undefined);
    return read;
  }

  profile(reads: readonly string[] = []): Promise<{ outputs: Float32Array[]; kernels: KernelTime[] }> {
    this.applyTuning();
    return this.plan.profileValues(reads.map((name) => outputId(this.program, name)));
  }

  read(names: readonly string[]): Promise<Float32Array[]> {
    return Promise.all(
      names.map((name) => {
        const state = this.program.state.find((s) => s.name === name);
        // A state's current value is in the set the next step reads: the state input's buffer.
        return this.plan.readValue(state ? state.input : outputId(this.program, name));
      }),
    );
  }

  async state(): Promise<Map<string, Float32Array>> {
    const names = this.program.state.map((s) => s.name);
    const values = await this.read(names);
    return new Map(names.map((name, j) => [name, values[j]]));
  }

  load(state: ReadonlyMap<string, ArrayLike<number>>): void {
    const set = this.ring.sets[this.ring.parity];
    for (const [name, values] of state) {
      const j = stateIndex(this.program, name);
      const n = sizeOf(this.ring.shapes[j]);
      if (values.length !== n)
        throw new ShapeError(
          `CompiledStep.load: state '${name}' takes ${n} values, received ${values.length}`,
        );
      const data = values instanceof Float32Array ? values : Float32Array.from(values);
      if (n > 0) this.backend.device.queue.writeBuffer(set[j], 0, data.buffer, data.byteOffset, n * 4);
    }
  }

  assign(values: ReadonlyMap<string, StoredValue<GpuStorage>>): void {
    const state: [number, GPUBuffer][] = [];
    const inputs: [GPUBuffer, GPUBuffer, number][] = [];
    for (const [name, t] of values) {
      const j = this.program.state.findIndex((s) => s.name === name);
      if (j >= 0) state.push([j, this.bufferOf(name, t, this.ring.shapes[j])]);
      else {
        const id = inputId(this.program, name);
        const shape = this.program.values[id].shape;
        inputs.push([this.bufferOf(name, t, shape), this.plan.bufferAt(id, 0), sizeOf(shape) * 4]);
      }
    }
    if (state.length > 0) this.ring.loadSome(state);
    if (inputs.length === 0) return;
    const encoder = this.backend.device.createCommandEncoder({ label: 'input assign' });
    for (const [from, to, bytes] of inputs) if (bytes > 0) encoder.copyBufferToBuffer(from, 0, to, 0, bytes);
    this.backend.submitCommands(encoder.finish());
  }

  private bufferOf(name: string, t: StoredValue<GpuStorage>, shape: Shape): GPUBuffer {
    if (t.backend !== this.backend) {
      throw new InvalidArgumentError(
        `CompiledStep: '${name}' lives on ${t.backend.description}, not on ${this.backend.description}`,
      );
    }
    if (!shapesEqual(t.shape, shape))
      throw new ShapeError(`CompiledStep: '${name}' is ${fmtShape(shape)}, received ${fmtShape(t.shape)}`);
    return t.storage.buffer;
  }

  export(into: (name: string) => StoredValue<GpuStorage> | undefined): Map<string, GpuStorage> {
    const set = this.ring.sets[this.ring.parity];
    const encoder = this.backend.device.createCommandEncoder({ label: 'state export' });
    const out = new Map<string, GpuStorage>();
    this.program.state.forEach(({ name }, j) => {
      const shape = this.ring.shapes[j];
      const given = into(name);
      const storage =
        given && given.backend === this.backend && shapesEqual(given.shape, shape)
          ? given.storage
          : this.backend.buffers.storage(sizeOf(shape), `state ${name}`);
      if (sizeOf(shape) > 0) encoder.copyBufferToBuffer(set[j], 0, storage.buffer, 0, sizeOf(shape) * 4);
      out.set(name, storage);
    });
    this.backend.submitCommands(encoder.finish());
    return out;
  }

  rewind(steps: number): void {
    this.ring.rewind(steps);
  }

  get counters(): StepCounters {
    return this.plan.counters;
  }

  destroy(): void {
    this.destroyed = true;
    this.plan.destroy();
    if (--this.shared.users === 0) this.ring.destroy();
  }
}
