/**
 * The CPU backend's compiled step (Backend.compile): memory planned once (graph/program/slots.ts)
 * in one block of the WebAssembly kernel memory (step-memory.ts; JS arrays for float64), every
 * kernel call prepared once, either a WebAssembly kernel on its operands' offsets
 * (kernels/wasm-calls.ts) or the TypeScript kernel on their views, and a step is the calls in
 * order over that memory: no allocation, shape checks, tape or tensor objects per op. State lives in a ring of two sets (a step reads one and writes the other), so a
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
import { prepareWasmKernels, wasmCall } from './kernels/wasm-calls';
import { CpuStateRing, FloatBlock, freeOnCollect } from './step-memory';
import type { FloatArray } from './types';
import { wasmKernelsEnabled } from './wasm/modules';
import { kernelRuntime, type WasmRuntime } from './wasm/runtime';

/** One prepared kernel call: a TypeScript kernel on its views, or a WebAssembly kernel on their offsets. */
interface Call {
  readonly op: OpName;
  readonly run: (params: OpParams[OpName]) => void;
  params: OpParams[OpName];
}

export class CpuStep implements CompiledStep<FloatArray> {
  readonly program: Program;
  private readonly ring: CpuStateRing;
  private readonly bound: BoundState;
  /** The step's slots, and the full-batch step's block where this one borrows its slots. */
  private readonly block: FloatBlock | null;
  private readonly lent: FloatBlock | null;
  /** Each value's place: [block, array index, elements] (undefined for state, which lives in the ring). */
  private readonly places: ([FloatBlock, number, number] | undefined)[];
  private readonly runtime: WasmRuntime | null;
  /** Reshape outputs that are their input's slot: their nodes run no kernel. */
  private readonly aliased: ReadonlySet<number>;
  /** Whether kernels may be WebAssembly (chosen at compile: float32 in the kernel memory, kernels on). */
  private readonly wasm: boolean;
  /** The memory's growth count the views below were made at. */
  private generation = -1;
  private views: (FloatArray | undefined)[] = [];
  /** The kernel calls of a step reading ring set p. */
  private calls: Call[][] = [];
  /** Per ring set: states whose next value is copied after the kernels ([from, state index]). */
  private copies: [FloatArray, number][][] = [];
  private readonly counts: StepCounters;
  private destroyed = false;

  constructor(
    private readonly backend: Backend<FloatArray>,
    /** The backend's array type: float32, or float64 for gradient checks. */
    ArrayType: Float32ArrayConstructor | Float64ArrayConstructor,
    program: Program,
    options: CompileOptions<FloatArray>,
  ) {
    this.program = optimizeProgram(program);
    this.runtime = ArrayType === Float32Array ? kernelRuntime() : null;
    // Loads the kernel modules and their scratch now, before any view is made.
    if (this.runtime) prepareWasmKernels();
    const shapes = this.program.state.map((s) => this.program.values[s.input].shape);
    this.ring = this.sharedRing(options.shareStateWith, shapes, ArrayType);
    this.ring.users++;
    this.bound = bindState(this.program);
    const visible = visibleValues(this.program);
    const planned = planSlots(this.program, visible, this.bound.external);
    this.aliased = planned.aliased;
    // The last, smaller batch keeps its values in the full batch's arrays (all but constants).
    const other = options.shareStateWith;
    const borrow = other instanceof CpuStep && fitsPlanOf(this.program, other.program) ? other : null;
    const own = planned.slots.map((slot, s) => (slot.data || !borrow ? s : -1)).filter((s) => s >= 0);
    const index = new Map(own.map((s, j) => [s, j]));
    this.block = own.length
      ? FloatBlock.make(
          own.map((s) => planned.slots[s].bytes / 4),
          ArrayType,
          this.runtime,
        )
      : null;
    this.lent = borrow?.block?.retain() ?? null;
    this.places = planned.slotOf.map((s, id) => {
      if (s === undefined) return undefined;
      const size = sizeOf(this.program.values[id].shape);
      const j = index.get(s);
      if (j !== undefined) return [this.block!, j, size];
      const [lender, k] = borrow!.places[id]!;
      return [lender, k, size];
    });
    const constants = this.block?.arrays() ?? [];
    planned.slots.forEach((slot, s) => {
      if (slot.data) constants[index.get(s)!].set(slot.data);
    });
    const blocks = [this.block, this.lent].filter((b): b is FloatBlock => b !== null);
    this.wasm =
      wasmKernelsEnabled() && this.ring.block.inKernelMemory && blocks.every((b) => b.inKernelMemory);
    const ring = this.ring;
    freeOnCollect.register(
      this,
      () => {
        for (const block of blocks) block.release();
        ring.leave();
      },
      this,
    );
    this.sync();
    this.counts = {
      buffersCreated: (this.block ? 1 : 0) + (options.shareStateWith ? 0 : 1),
      pipelinesCreated: 0,
      bytesAllocated: (this.block?.bytes ?? 0) + (options.shareStateWith ? 0 : this.ring.block.bytes),
      submits: 0,
      steps: 0,
      dispatchesPerStep: this.calls[0].length,
      intermediates: this.program.values.filter((v, id) => v.kind === 'node' && !visible.has(id)).length,
      intermediateBuffers: planned.intermediateSlots,
    };
  }

  private sharedRing(
    other: CompiledStep | undefined,
    shapes: Shape[],
    ArrayType: Float32ArrayConstructor | Float64ArrayConstructor,
  ): CpuStateRing {
    if (!other) return new CpuStateRing(shapes, ArrayType, this.runtime);
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

  /**
   * Makes the views and kernel calls, once at compile and again only after the kernel memory grew
   * (its old buffer, and every view of it, is then detached). Params set by setParams are kept.
   */
  private sync(): void {
    const generation = this.runtime?.generation ?? 0;
    if (generation === this.generation) return;
    const old = this.calls;
    this.views = this.places.map((place) => {
      if (!place) return undefined;
      const [block, j, size] = place;
      return block.arrays()[j].subarray(0, size);
    });
    const nodes = this.program.nodes.filter((n) => !this.aliased.has(n.outputs[0]));
    this.calls = this.ring.sets.map((_, p) => nodes.map((node) => this.prepare(node, p)));
    old.forEach((calls, p) => {
      calls.forEach((call, i) => {
        this.calls[p][i].params = call.params;
      });
    });
    this.copies = this.ring.sets.map((_, p) =>
      this.program.state.flatMap((s, j): [FloatArray, number][] =>
        this.bound.claimed.has(j) ? [] : [[this.view(s.output, p), j]],
      ),
    );
    this.generation = generation;
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
    const inputs = node.inputs.map((v) => ({ data: this.view(v, p), shape: values[v].shape }));
    const outs = node.outputs.map((v) => ({ data: this.view(v, p), shape: values[v].shape }));
    const launch = this.wasm ? wasmCall(this.runtime!, node.op, inputs, outs, node.params) : null;
    if (launch) return { op: node.op, run: launch, params: node.params };
    const kernel = cpuKernelFor(node.op);
    return {
      op: node.op,
      run: (params) => {
        // Kernels expect zero-filled outputs, as CpuBackend.run gives them.
        for (const out of outs) out.data.fill(0);
        kernel(inputs, outs, params);
      },
      params: node.params,
    };
  }

  write(name: string, values: ArrayLike<number>): void {
    this.sync();
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
    this.sync();
    const p = this.ring.parity;
    for (let i = 0; i < this.calls[p].length; i++) {
      const call = this.calls[p][i];
      call.run(call.params);
      // A kernel that staged an operand outside the kernel memory may have grown it (only where a
      // step's block fell back to a JS array): the later calls then need fresh views.
      if (this.runtime && this.runtime.generation !== this.generation) this.sync();
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
    this.sync();
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
    this.sync();
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
    this.sync();
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
    this.sync();
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
    if (this.destroyed) return;
    this.destroyed = true;
    freeOnCollect.unregister(this);
    this.block?.release();
    this.lent?.release();
    this.ring.leave();
  }
}
