/**
 * The engine: which backend runs ops, how one op call is checked, run and (while gradients are
 * being recorded) put on the tape.
 */

import { BackendError, fmtShape, ShapeError } from '../errors';
import type { Backend } from './backend';
import type { AnyOpDef, OpDefs } from './op-def';
import {
  type MultiOutputOp,
  type OpName,
  type OpParams,
  outputNames,
  type SingleOutputOp,
} from './op-params';
import { assertValidShape, type Shape, sizeOf } from './shape';
import { Tensor } from './tensor';

let current: Backend | undefined;
let makeDefault: (() => Backend) | undefined;

/**
 * Hands the graph the backend it uses until another is chosen, made on first use. graph owns the
 * Backend interface and never imports a concrete backend: each entry (the package's src/index.ts,
 * the app, the training Worker, the test set-up) wires the CPU backend in through this.
 */
export function setDefaultBackend(make: () => Backend): void {
  makeDefault = make;
}

export function currentBackend(): Backend {
  if (current) return current;
  if (!makeDefault) {
    throw new BackendError(
      'no backend: import the package entry (webgpu-trainer), which wires in the CPU backend, or call useBackend',
    );
  }
  current = makeDefault();
  return current;
}

let host: Backend | undefined;

/**
 * A backend of the default kind (the CPU), made once and kept apart from the current one: values
 * that must outlive a lost device (a model's last-good state, read while no live backend is current)
 * are put there. The current backend is left as it is; only recovery or setBackend changes it.
 */
export function hostBackend(): Backend {
  if (current?.name === 'cpu') return current;
  if (!makeDefault) return currentBackend();
  host ??= makeDefault();
  return host;
}

/**
 * What replaces a backend whose device was lost or cannot go on: given the backend that failed and
 * why, it makes (and makes current) the backend to continue on (a new device, else the CPU), or
 * throws when there is none. Wired in by src/backend/index.ts, like the default backend.
 */
export type BackendRecovery = (failed: Backend, cause: Error) => Promise<Backend>;

let recovery: BackendRecovery | undefined;

export function setBackendRecovery(handler: BackendRecovery): void {
  recovery = handler;
}

/**
 * Replaces `failed` (fit calls this on DeviceLostError, then rebuilds its step from the model's
 * last-good state on the backend returned). Throws `cause` when no recovery is wired in.
 */
export async function recoverBackend(failed: Backend, cause: Error): Promise<Backend> {
  if (!recovery) throw cause;
  return recovery(failed, cause);
}

/** Makes `backend` the one new tensors and ops run on. Returns the previous one. */
export function useBackend(backend: Backend): Backend {
  const previous = currentBackend();
  current = backend;
  return previous;
}

/** Runs `fn` with `backend` current, restoring the previous backend afterwards. */
export function withBackend<T>(backend: Backend, fn: () => T): T {
  // Not through useBackend: this needs no default backend (a page that names every backend has none).
  const previous = current;
  current = backend;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

const registry: Partial<Record<OpName, AnyOpDef>> = {};

/** src/graph/ops/defs registers every op's definition when it loads (src/graph/ops imports it). */
export function registerOps<K extends OpName>(defs: OpDefs<K>): OpDefs<K> {
  Object.assign(registry, defs);
  return defs;
}

export function opDef(op: OpName): AnyOpDef {
  const def = registry[op];
  if (!def)
    throw new BackendError(`op ${op} is not registered (import src/graph/ops, which registers every op)`);
  return def;
}

let recording = 0;

/** Runs `fn` with the tape on: outputs of ops on tensors that require gradients keep their node. */
export function recordTape<T>(fn: () => T): T {
  recording++;
  try {
    return fn();
  } finally {
    recording--;
  }
}

/** Whether ops are being put on the tape now (inside valueAndGrad's f, outside noGrad). */
export function isRecording(): boolean {
  return recording > 0;
}

/** Runs `fn` with the tape off (backward passes, optimiser updates). */
export function noGrad<T>(fn: () => T): T {
  const saved = recording;
  recording = 0;
  try {
    return fn();
  } finally {
    recording = saved;
  }
}

/** Checks, runs and records one primitive op. Every public op goes through here. */
export function runOp<K extends SingleOutputOp>(
  op: K,
  given: readonly Tensor[],
  params: OpParams[K],
): Tensor {
  const { inputs, outputs } = execute(op, given, params, 1);
  const [out] = outputs;
  if (recording > 0 && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { op, inputs, params };
  }
  return out;
}

/** runOp for an op with several outputs: one kernel, the outputs in outputNames order. */
export function runOpOutputs<K extends MultiOutputOp>(
  op: K,
  given: readonly Tensor[],
  params: OpParams[K],
): Tensor[] {
  const { inputs, outputs } = execute(op, given, params, outputNames(op, params).length);
  if (recording > 0 && inputs.some((t) => t.requiresGrad)) {
    const node = { op, inputs, params, outputs };
    for (const out of outputs) {
      out.requiresGrad = true;
      out.node = node;
    }
  }
  return outputs;
}

/** Checks the call and runs the kernel, giving `count` outputs shaped as the op's definition says. */
function execute(
  op: OpName,
  given: readonly Tensor[],
  params: OpParams[OpName],
  count: number,
): { inputs: readonly Tensor[]; outputs: Tensor[] } {
  let inputs = given;
  const def = opDef(op);
  if (def.arity !== 'variadic' && inputs.length !== def.arity) {
    throw new ShapeError(`${op}: expected ${def.arity} inputs, received ${inputs.length}`);
  }
  // Inside a traced step, a tensor captured from outside may be taken in by the tracer.
  const tracer = inputs.find((t) => t.backend.adopt)?.backend;
  if (tracer) inputs = inputs.map((t) => adoptInto(tracer, t));
  const backend = inputs.length > 0 ? inputs[0].backend : currentBackend();
  for (const t of inputs) {
    if (t.backend !== backend) {
      throw new BackendError(
        `${op}: inputs live on different backends (${backend.description} and ${t.backend.description}); ` +
          'create them after setBackend, or move them with tensor(await t.data(), t.shape)',
      );
    }
  }
  const outShape = (def.shape as (s: readonly Shape[], p: OpParams[OpName]) => Shape)(
    inputs.map((t) => t.shape),
    params,
  );
  const shapes = Array.from({ length: count }, () => outShape);
  const storages = backend.run(
    op,
    inputs.map((t) => ({ storage: t.storage, shape: t.shape })),
    shapes,
    params,
  );
  return { inputs, outputs: storages.map((s) => new Tensor(outShape, s, backend)) };
}

/** `t` as a value of the tracing backend `tracer`, where it can be taken in; else `t` itself. */
function adoptInto(tracer: Backend, t: Tensor): Tensor {
  if (t.backend === tracer) return t;
  const storage = tracer.adopt!(t.backend, t.storage, t.shape);
  return storage === null ? t : new Tensor(t.shape, storage, tracer);
}

/** A tensor on the current backend from flat row-major values (or nested arrays) and a shape. */
export function tensor(values: ArrayLike<number> | NestedNumbers, shape?: Shape): Tensor {
  const flat: ArrayLike<number> = ArrayBuffer.isView(values)
    ? (values as ArrayLike<number>)
    : flatten(values);
  const finalShape = shape ?? inferShape(values);
  assertValidShape('tensor', finalShape);
  if (sizeOf(finalShape) !== flat.length) {
    throw new ShapeError(
      `tensor: ${flat.length} values do not fill shape ${fmtShape(finalShape)} (${sizeOf(finalShape)} elements)`,
    );
  }
  const backend = currentBackend();
  return new Tensor(finalShape, backend.upload(flat, finalShape), backend);
}

export type NestedNumbers = number | readonly NestedNumbers[];

function flatten(values: ArrayLike<number> | NestedNumbers): number[] {
  if (typeof values === 'number') return [values];
  return Array.from(values as ArrayLike<NestedNumbers>).flatMap((v) => flatten(v));
}

function inferShape(values: ArrayLike<number> | NestedNumbers): number[] {
  if (typeof values === 'number') return [];
  const list = Array.from(values as ArrayLike<NestedNumbers>);
  if (ArrayBuffer.isView(values) || list.length === 0) return [list.length];
  const inner = inferShape(list[0]);
  for (const v of list) {
    if (fmtShape(inferShape(v)) !== fmtShape(inner)) {
      throw new ShapeError('tensor: nested arrays are ragged; every row must have the same shape');
    }
  }
  return [list.length, ...inner];
}
