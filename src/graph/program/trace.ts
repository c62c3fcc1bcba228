/**
 * Tracing a step into a Program: a backend that records ops instead of running them. Tensors
 * made inside the step (scalars, zero gradients) become constants of the program; tensors the
 * step captures from the backend it is traced for (a layer's fixed factor) become constants too,
 * where that backend can read them at once (the CPU).
 */

import { BackendError, fmtShape, ShapeError } from '../../errors';
import type { Backend, BackendName, KernelInput } from '../backend';
import { withBackend } from '../engine';
import type { OpName, OpParams } from '../op-params';
import { type Shape, shapesEqual, sizeOf } from '../shape';
import { Tensor } from '../tensor';
import type { Program, ProgramNode, ProgramValue, StateSlot } from './program';

/** A tensor during tracing: which value of the program it is. */
export class TracedStorage {
  constructor(readonly id: number) {}
}

/** Records ops instead of running them; see the file comment. */
export class RecordingBackend implements Backend<TracedStorage> {
  readonly name: BackendName;
  readonly description = 'step trace';
  readonly pipelineDepth = 0;
  readonly values: ProgramValue[] = [];
  readonly nodes: ProgramNode[] = [];

  /** `target`: the backend the program will run on, whose tensors the step may capture. */
  constructor(readonly target: Backend | null = null) {
    this.name = target?.name ?? 'webgpu';
  }

  add(value: ProgramValue): TracedStorage {
    this.values.push(value);
    return new TracedStorage(this.values.length - 1);
  }

  upload(values: ArrayLike<number>, shape: Shape): TracedStorage {
    return this.add({ kind: 'constant', shape, data: Float32Array.from(values) });
  }

  run<K extends OpName>(
    op: K,
    inputs: readonly KernelInput<TracedStorage>[],
    outShapes: readonly Shape[],
    params: OpParams[K],
  ): TracedStorage[] {
    const outs = outShapes.map((shape) => this.add({ kind: 'node', shape }));
    this.nodes.push({
      op,
      inputs: inputs.map((x) => x.storage.id),
      outputs: outs.map((o) => o.id),
      params,
    });
    return outs;
  }

  /** A tensor of the target backend used inside the step, as a constant; null where it cannot be read now. */
  adopt(from: Backend, storage: unknown, shape: Shape): TracedStorage | null {
    if (from !== this.target) return null;
    const values = from.readSync(storage, sizeOf(shape));
    return values ? this.upload(values, shape) : null;
  }

  compile(): never {
    throw new BackendError('a traced step cannot compile another step program');
  }

  read(): Promise<Float32Array> {
    return Promise.reject(
      new BackendError('a traced step cannot read tensor values; return them as outputs'),
    );
  }

  readSync(): null {
    return null;
  }
}

export interface NamedShape {
  readonly name: string;
  readonly shape: Shape;
}

export interface ProgramSignature {
  /** Written before each step: the batch, step scalars. */
  readonly inputs: readonly NamedShape[];
  /** Read and replaced by each step: weights, optimizer slots, moving statistics. */
  readonly state: readonly NamedShape[];
}

export interface StepValues {
  /** Outputs by name, in the order given. */
  readonly outputs: readonly (readonly [string, Tensor])[];
  /** The next value of every state, by name. */
  readonly state: ReadonlyMap<string, Tensor>;
}

/**
 * Runs `body` once on traced tensors (inputs and state by name) and returns the Program it
 * computes. `body` is written with ordinary ops, valueAndGrad included.
 */
export function traceProgram(
  signature: ProgramSignature,
  body: (inputs: ReadonlyMap<string, Tensor>, state: ReadonlyMap<string, Tensor>) => StepValues,
  target: Backend | null = null,
): Program {
  const recorder = new RecordingBackend(target);
  const traced = (list: readonly NamedShape[]) =>
    new Map(
      list.map(({ name, shape }) => [
        name,
        new Tensor(shape, recorder.add({ kind: 'input', shape }), recorder),
      ]),
    );
  const inputs = traced(signature.inputs);
  const stateIn = traced(signature.state);
  const result = withBackend(recorder, () => body(inputs, stateIn));
  const idOf = (what: string, t: Tensor | undefined): number => {
    if (t?.backend !== recorder) {
      throw new BackendError(
        `step program: ${what} ${t ?? 'missing'} was not computed inside the step (it lives on ${t?.backend.description ?? 'no backend'})`,
      );
    }
    return tracedId(t);
  };
  const outputs = new Map(result.outputs.map(([name, t]) => [name, idOf(`output '${name}'`, t)]));
  const state: StateSlot[] = signature.state.map(({ name, shape }) => {
    const next = result.state.get(name);
    const output = idOf(`state '${name}'`, next);
    if (!shapesEqual(next!.shape, shape)) {
      throw new ShapeError(
        `step program: state '${name}' is ${fmtShape(shape)} but the step returns ${fmtShape(next!.shape)}`,
      );
    }
    return { name, input: idOf(`state '${name}'`, stateIn.get(name)), output };
  });
  return {
    values: recorder.values,
    nodes: recorder.nodes,
    inputs: new Map([...inputs].map(([name, t]) => [name, tracedId(t)])),
    outputs,
    state,
  };
}

/** The program value a tensor of the trace is. */
function tracedId(t: Tensor): number {
  if (!(t.storage instanceof TracedStorage))
    throw new BackendError(`step program: ${t} is not a value of the traced step`);
  return t.storage.id;
}

/**
 * The positional form: `step` on inputs of `inputShapes`, input k and output k named by their
 * index (`'0'`, `'1'`, ...), no state.
 */
export function tracePositional(
  inputShapes: readonly Shape[],
  step: (...inputs: Tensor[]) => readonly Tensor[],
  target: Backend | null = null,
): Program {
  return traceProgram(
    { inputs: inputShapes.map((shape, k) => ({ name: String(k), shape })), state: [] },
    (inputs) => ({
      outputs: step(...inputs.values()).map((t, k) => [String(k), t] as const),
      state: new Map(),
    }),
    target,
  );
}
