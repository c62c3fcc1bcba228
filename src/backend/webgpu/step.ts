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
} from '../../graph/program/compiled-step';
import { optimizeProgram } from '../../graph/program/passes';
import { inputId, outputId, type Program, stateIndex } from '../../graph/program/program';
import { shapesEqual, sizeOf } from '../../graph/shape';
import { Tensor } from '../../graph/tensor';
import type { GpuStorage } from './buffers';
import type { GpuHost } from './host';
import { StepPlan } from './plan';
import { StateRing } from './state-ring';

/** A ring and how many steps use it: the last one destroyed frees it. */
interface SharedRing {
  readonly ring: StateRing;
  users: number;
}

export class WebGPUStep implements CompiledStep {
  readonly program: Program;
  private readonly plan: StepPlan;
  private readonly shared: SharedRing;

  constructor(
    private readonly backend: GpuHost & Backend,
    program: Program,
    options: CompileOptions,
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
      reads: (options.reads ?? []).map((name) => outputId(this.program, name)),
    });
    this.shared.users++;
  }

  private get ring(): StateRing {
    return this.shared.ring;
  }

  write(name: string, values: ArrayLike<number>): void {
    this.plan.write(inputId(this.program, name), values, `input '${name}'`);
  }

  setParams<K extends OpName>(op: K, update: (params: OpParams[K]) => OpParams[K]): void {
    this.plan.setParams(op, update);
  }

  step(reads: readonly string[] = []): Promise<Float32Array[]> {
    return this.plan.stepValues(reads.map((name) => outputId(this.program, name)));
  }

  profile(reads: readonly string[] = []): Promise<{ outputs: Float32Array[]; kernels: KernelTime[] }> {
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

  assign(values: ReadonlyMap<string, Tensor>): void {
    const entries = [...values].map(([name, t]) => {
      const j = stateIndex(this.program, name);
      return [j, this.bufferOf(name, t, j)] as const;
    });
    if (entries.length > 0) this.ring.loadSome(entries);
  }

  private bufferOf(name: string, t: Tensor, j: number): GPUBuffer {
    if (t.backend !== this.backend) {
      throw new InvalidArgumentError(
        `CompiledStep: state '${name}' lives on ${t.backend.description}, not on ${this.backend.description}`,
      );
    }
    if (!shapesEqual(t.shape, this.ring.shapes[j]))
      throw new ShapeError(
        `CompiledStep: state '${name}' is ${fmtShape(this.ring.shapes[j])}, received ${fmtShape(t.shape)}`,
      );
    return (t.storage as GpuStorage).buffer;
  }

  export(into: (name: string) => Tensor | undefined): Map<string, Tensor> {
    const set = this.ring.sets[this.ring.parity];
    const encoder = this.backend.device.createCommandEncoder({ label: 'state export' });
    const out = new Map<string, Tensor>();
    this.program.state.forEach(({ name }, j) => {
      const shape = this.ring.shapes[j];
      const given = into(name);
      const t =
        given && given.backend === this.backend && shapesEqual(given.shape, shape)
          ? given
          : new Tensor(shape, this.backend.buffers.storage(sizeOf(shape), `state ${name}`), this.backend);
      if (sizeOf(shape) > 0)
        encoder.copyBufferToBuffer(set[j], 0, (t.storage as GpuStorage).buffer, 0, sizeOf(shape) * 4);
      out.set(name, t);
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
    this.plan.destroy();
    if (--this.shared.users === 0) this.ring.destroy();
  }
}
