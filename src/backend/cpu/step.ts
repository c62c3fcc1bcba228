/**
 * The CPU backend's compiled step (Backend.compile): memory planned once (graph/program/slots.ts)
 * as typed arrays, every kernel call prepared once with its input and output views, and a step
 * is the kernels called in order over that memory: no allocation, shape checks, tape or tensor
 * objects per op. State lives in a ring of two sets (a step reads one and writes the other), so a
 * step whose loss is not finite is taken back by moving the position back.
 */
import { fmtShape, InvalidArgumentError, ShapeError } from '../../errors';
import type { Backend } from '../../graph/backend';
import type { OpName, OpParams } from '../../graph/op-params';
import type {
  CompiledStep,
  CompileOptions,
  StepCounters,
  StoredValue,
} from '../../graph/program/compiled-step';
import { optimizeProgram, visibleValues } from '../../graph/program/passes';
import { inputId, outputId, type Program, stateIndex } from '../../graph/program/program';
import { fitsPlanOf, planSlots } from '../../graph/program/slots';
import { type BoundState, bindState } from '../../graph/program/state';
import { type Shape, shapesEqual, sizeOf } from '../../graph/shape';
import { cpuKernelFor } from './kernels';
import type { CpuAnyKernel, CpuTensor, FloatArray } from './types';

/** State sets shared by the steps of one model (one per batch size) and their position. */
class CpuStateRing {
  readonly sets: FloatArray[][];
  position = 0;
  users = 0;
  constructor(
    readonly shapes: readonly Shape[],
    make: (length: number) => FloatArray,
    readonly size = 2,
  ) {
    this.sets = Array.from({ length: size }, () => shapes.map((s) => make(sizeOf(s))));
  }
  get parity(): number {
    return this.position % this.size;
  }
}

interface Call {
  readonly op: OpName;
  readonly kernel: CpuAnyKernel;
  readonly inputs: readonly CpuTensor[];
  readonly outs: readonly CpuTensor[];
  params: OpParams[OpName];
}

export class CpuStep implements CompiledStep<FloatArray> {
  readonly program: Program;
  private readonly ring: CpuStateRing;
  private readonly bound: BoundState;
  /** Each value's view into its slot (undefined for state, which lives in the ring). */
  private readonly views: (FloatArray | undefined)[];
  /** The kernel calls of a step reading ring set p. */
  private readonly calls: Call[][];
  /** Per ring set: states whose next value is copied after the kernels ([from, state index]). */
  private readonly copies: [FloatArray, number][][];
  private readonly counts: StepCounters;

  constructor(
    private readonly backend: Backend<FloatArray>,
    /** The backend's array type: float32, or float64 for gradient checks. */
    ArrayType: Float32ArrayConstructor | Float64ArrayConstructor,
    program: Program,
    options: CompileOptions<FloatArray>,
  ) {
    this.program = optimizeProgram(program);
    const make = (n: number): FloatArray => new ArrayType(n);
    const shapes = this.program.state.map((s) => this.program.values[s.input].shape);
    this.ring = this.sharedRing(options.shareStateWith, shapes, make);
    this.ring.users++;
    this.bound = bindState(this.program);
    const visible = visibleValues(this.program);
    const planned = planSlots(this.program, visible, this.bound.external);
    // The last, smaller batch keeps its values in the full batch's arrays (all but constants).
    const other = options.shareStateWith;
    const borrow = other instanceof CpuStep && fitsPlanOf(this.program, other.program) ? other : null;
    const slots = planned.slots.map((slot) =>
      slot.data ? ArrayType.from(slot.data) : borrow ? null : make(slot.bytes / 4),
    );
    this.views = planned.slotOf.map((s, id) => {
      if (s === undefined) return undefined;
      const size = sizeOf(this.program.values[id].shape);
      return (slots[s] ?? borrow!.views[id]!).subarray(0, size);
    });
    const made = slots.filter((a): a is FloatArray => a !== null);
    const nodes = this.program.nodes.filter((n) => !planned.aliased.has(n.outputs[0]));
    this.calls = this.ring.sets.map((_, p) => nodes.map((node) => this.prepare(node, p)));
    this.copies = this.ring.sets.map((_, p) =>
      this.program.state.flatMap((s, j): [FloatArray, number][] =>
        this.bound.claimed.has(j) ? [] : [[this.view(s.output, p), j]],
      ),
    );
    this.counts = {
      buffersCreated: made.length + (options.shareStateWith ? 0 : this.ring.size * shapes.length),
      pipelinesCreated: 0,
      bytesAllocated: made.reduce((n, a) => n + a.byteLength, 0),
      submits: 0,
      steps: 0,
      dispatchesPerStep: this.calls[0].length,
      intermediates: this.program.values.filter((v, id) => v.kind === 'node' && !visible.has(id)).length,
      intermediateBuffers: planned.intermediateSlots,
    };
  }

  private sharedRing(other: CompiledStep | undefined, shapes: Shape[], make: (n: number) => FloatArray) {
    if (!other) return new CpuStateRing(shapes, make);
    if (!(other instanceof CpuStep) || other.backend !== this.backend)
      throw new InvalidArgumentError('compile(shareStateWith): the step was compiled by another backend');
    const names = other.program.state.map((s) => s.name).join();
    if (
      names !== this.program.state.map((s) => s.name).join() ||
      !other.ring.shapes.every((s, j) => shapesEqual(s, shapes[j]))
    )
      throw new InvalidArgumentError('compile(shareStateWith): the two programs have different state');
    return other.ring;
  }

  /** The array holding value `id` in a step that reads ring set `p`. */
  private view(id: number, p: number): FloatArray {
    const input = this.bound.stateIn.get(id);
    if (input !== undefined) return this.ring.sets[p][input];
    const output = this.bound.stateOut.get(id);
    if (output !== undefined) return this.ring.sets[(p + 1) % this.ring.size][output];
    return this.views[id]!;
  }

  private prepare(node: Program['nodes'][number], p: number): Call {
    const values = this.program.values;
    const tensor = (v: number) => ({ data: this.view(v, p), shape: values[v].shape });
    return {
      op: node.op,
      kernel: cpuKernelFor(node.op),
      inputs: node.inputs.map(tensor),
      outs: node.outputs.map(tensor),
      params: node.params,
    };
  }

  write(name: string, values: ArrayLike<number>): void {
    const id = inputId(this.program, name);
    const view = this.views[id];
    if (!view || this.bound.stateIn.has(id))
      throw new InvalidArgumentError(`CompiledStep.write: '${name}' is state`);
    if (values.length !== view.length)
      throw new InvalidArgumentError(
        `CompiledStep.write: input '${name}' ${fmtShape(this.program.values[id].shape)} takes ${view.length} values, received ${values.length}`,
      );
    view.set(values);
  }

  setParams<K extends OpName>(op: K, update: (params: OpParams[K]) => OpParams[K]): void {
    for (const calls of this.calls)
      for (const call of calls) if (call.op === op) call.params = update(call.params as OpParams[K]);
  }

  step(reads: readonly string[] = []): Promise<Float32Array[]> {
    const p = this.ring.parity;
    for (const { kernel, inputs, outs, params } of this.calls[p]) {
      // Kernels expect zero-filled outputs, as CpuBackend.run gives them.
      for (const out of outs) out.data.fill(0);
      kernel(inputs, outs, params);
    }
    const next = this.ring.sets[(p + 1) % this.ring.size];
    for (const [from, j] of this.copies[p]) next[j].set(from);
    this.ring.position++;
    this.counts.steps++;
    this.counts.submits++;
    return Promise.resolve(reads.map((name) => this.current(name)));
  }

  /** A copy of output or state `name` as of the newest step. */
  private current(name: string): Float32Array {
    const state = this.program.state.findIndex((s) => s.name === name);
    const p = this.ring.parity;
    if (state >= 0) return Float32Array.from(this.ring.sets[p][state]);
    const id = outputId(this.program, name);
    // A value written into the next set by the last step is in the set read next.
    const out = this.bound.stateOut.get(id);
    return Float32Array.from(out !== undefined ? this.ring.sets[p][out] : this.view(id, p));
  }

  read(names: readonly string[]): Promise<Float32Array[]> {
    return Promise.resolve(names.map((name) => this.current(name)));
  }

  state(): Promise<Map<string, Float32Array>> {
    return Promise.resolve(new Map(this.program.state.map((s) => [s.name, this.current(s.name)])));
  }

  load(state: ReadonlyMap<string, ArrayLike<number>>): void {
    for (const [name, values] of state) {
      const target = this.ring.sets[this.ring.parity][stateIndex(this.program, name)];
      if (values.length !== target.length)
        throw new ShapeError(
          `CompiledStep.load: state '${name}' takes ${target.length} values, received ${values.length}`,
        );
      target.set(values);
    }
  }

  assign(values: ReadonlyMap<string, StoredValue<FloatArray>>): void {
    for (const [name, t] of values) {
      const j = this.program.state.findIndex((s) => s.name === name);
      const id = j >= 0 ? this.program.state[j].input : inputId(this.program, name);
      const shape = this.program.values[id].shape;
      if (t.backend !== this.backend)
        throw new InvalidArgumentError(
          `CompiledStep: '${name}' lives on ${t.backend.description}, not on ${this.backend.description}`,
        );
      if (!shapesEqual(t.shape, shape))
        throw new ShapeError(`CompiledStep: '${name}' is ${fmtShape(shape)}, received ${fmtShape(t.shape)}`);
      (j >= 0 ? this.ring.sets[this.ring.parity][j] : this.views[id]!).set(t.storage);
    }
  }

  export(into: (name: string) => StoredValue<FloatArray> | undefined): Map<string, FloatArray> {
    const set = this.ring.sets[this.ring.parity];
    return new Map(
      this.program.state.map(({ name }, j) => {
        const given = into(name);
        if (given && given.backend === this.backend && shapesEqual(given.shape, this.ring.shapes[j])) {
          given.storage.set(set[j]);
          return [name, given.storage];
        }
        return [name, set[j].slice()];
      }),
    );
  }

  rewind(steps: number): void {
    const most = Math.min(this.ring.size - 1, this.ring.position);
    if (!Number.isInteger(steps) || steps < 0 || steps > most)
      throw new InvalidArgumentError(`CompiledStep.rewind(${steps}): can take back 0 to ${most} steps`);
    this.ring.position -= steps;
  }

  get counters(): StepCounters {
    return { ...this.counts };
  }

  destroy(): void {
    this.ring.users--;
  }
}
