/**
 * A model's last-good state: host copies of every weight (BatchNormalization's moving statistics
 * included), every optimizer slot and the optimizer's step count, as of the last completed epoch.
 * fit captures it when it starts, at every epoch end and when it ends (and `captureLastGood` does
 * on demand). fit recovers from it after a device loss, the non-finite and divergence guards go
 * back to it, and reads of a model whose device is gone (getWeights, exportModelWeights,
 * predict/evaluate after setBackend) work from it.
 *
 * Double-buffered: a capture reads every value into the spare set and swaps the sets only once
 * every read is in, so a fault mid-copy (the device lost during the readback) leaves the previous
 * state whole. After the first two captures, capturing allocates nothing on the host.
 */
import { DeviceLostError } from '../../errors';
import type { Backend } from '../../graph/backend';
import { currentBackend, hostBackend, tensor, withBackend } from '../../graph/engine';
import { readTensors } from '../../graph/read-tensors';
import type { Tensor } from '../../graph/tensor';
import type { Sequential } from './sequential';

export interface LastGoodState {
  /** Epochs completed when it was taken: a recovered fit resumes at this epoch. */
  readonly epoch: number;
  /** The optimizer's step count (0 for an uncompiled model). */
  readonly iterations: number;
  /** Every weight by name (`dense_1.kernel`), in the model's order. */
  readonly weights: ReadonlyMap<string, Float32Array>;
  /** Every optimizer slot by name (`dense_1.kernel.m`). */
  readonly slots: ReadonlyMap<string, Float32Array>;
  /** Captures of this model so far and the milliseconds they took in all (the bench's cost row). */
  readonly captures: number;
  readonly captureMs: number;
}

interface Held extends LastGoodState {
  readonly weights: Map<string, Float32Array>;
  readonly slots: Map<string, Float32Array>;
  /** The model's weight tensors when it was taken: it is the model's own state while they are. */
  readonly tensors: readonly Tensor[];
  /** Each slot's shape, by name. */
  readonly shapes: ReadonlyMap<string, readonly number[]>;
}

interface Buffers {
  current: Held | null;
  /** The set the next capture writes into (the state before `current`), or null. */
  spare: Held | null;
}

const held = new WeakMap<Sequential, Buffers>();

/** The model's last-good state, or undefined before its first capture. */
export function lastGoodOf(model: Sequential): LastGoodState | undefined {
  return held.get(model)?.current ?? undefined;
}

/** The error a backend holds when its device is gone, else null (the CPU never loses one). */
export function lostCause(backend: Backend): DeviceLostError | null {
  const error = (backend as { readonly error?: unknown }).error;
  return error instanceof DeviceLostError ? error : null;
}

/** `into`'s array for `name` when it fits `values`, else a new one; filled with `values`. */
function copyInto(into: Map<string, Float32Array> | undefined, name: string, values: Float32Array) {
  const old = into?.get(name);
  const out = old && old.length === values.length ? old : new Float32Array(values.length);
  out.set(values);
  return out;
}

/**
 * Reads the model's weights, slots and step count to the host as the state of `epoch` completed
 * epochs. Rejects (the previous state kept) when a read fails.
 */
export async function captureLastGood(model: Sequential, epoch: number): Promise<void> {
  const started = performance.now();
  const variables = model.variables;
  const optimizer = model.compiled?.optimizer;
  const state = optimizer?.getState();
  const slotEntries = state ? [...state.slots] : [];
  const iterations = state?.iterations ?? 0;
  const tensors = variables.map((v) => v.value);
  // One batched read: a read per tensor costs a map round trip each, which in a browser (its GPU
  // process) is most of a small model's capture.
  const read = await readTensors([...tensors, ...slotEntries.map(([, t]) => t)]);
  const buffers = held.get(model) ?? { current: null, spare: null };
  const spare = buffers.spare;
  const weights = new Map(variables.map((v, j) => [v.name, copyInto(spare?.weights, v.name, read[j])]));
  const slots = new Map(
    slotEntries.map(([name], j) => [name, copyInto(spare?.slots, name, read[variables.length + j])]),
  );
  const shapes = new Map(slotEntries.map(([name, t]) => [name, t.shape]));
  // The swap: one assignment, after every value is in.
  const captures = (buffers.current?.captures ?? 0) + 1;
  const captureMs = (buffers.current?.captureMs ?? 0) + performance.now() - started;
  held.set(model, {
    current: { epoch, iterations, weights, slots, tensors, shapes, captures, captureMs },
    spare: buffers.current,
  });
}

/**
 * Puts the last-good state into the model: its weights and slots as new tensors on `backend`
 * (default: the current one) and the optimizer's step count. Returns false when there is none.
 */
export function restoreLastGood(model: Sequential, backend: Backend = currentBackend()): boolean {
  const buffers = held.get(model);
  const state = buffers?.current;
  if (!buffers || !state) return false;
  const variables = model.variables;
  const values = withBackend(backend, () =>
    variables.map((v) => {
      const host = state.weights.get(v.name);
      return host ? tensor(host, [...v.shape]) : v.value;
    }),
  );
  variables.forEach((v, j) => {
    v.value = values[j];
  });
  const optimizer = model.compiled?.optimizer;
  if (optimizer) {
    const slots = withBackend(backend, () =>
      [...state.slots].map(([name, host]) => [name, tensor(host, [...state.shapes.get(name)!])] as const),
    );
    optimizer.setState({ iterations: state.iterations, slots: new Map(slots) });
  }
  // The model's tensors are now the state's own: reads may use it again.
  buffers.current = { ...state, tensors: values };
  return true;
}

/**
 * Makes a model whose device is gone readable again from its last-good state: its weights move to
 * the current backend, or to the host (CPU) backend while the current one is lost too. Throws
 * DeviceLostError when the weights changed after the last capture (setWeights since), so that
 * nothing stale is handed out as the model's weights. A model on a live backend is left alone.
 */
export function ensureReadable(model: Sequential): void {
  const lost = model.variables.map((v) => lostCause(v.value.backend)).find((e) => e !== null);
  if (!lost) return;
  const state = held.get(model)?.current;
  const variables = model.variables;
  const own =
    state?.tensors.length === variables.length && state.tensors.every((t, j) => variables[j].value === t);
  if (!state || !own) {
    throw new DeviceLostError(
      `${model.name}: its weights lived on a device that is gone (${lost.message}), and no host copy of ` +
        (state
          ? `them as they are now exists (the last is of epoch ${state.epoch}; setWeights changed them since)`
          : 'them was taken'),
    );
  }
  const current = currentBackend();
  restoreLastGood(model, lostCause(current) ? hostBackend() : current);
}
