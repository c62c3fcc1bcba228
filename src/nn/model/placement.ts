/**
 * A model built on one backend and used after `setBackend` switched to another: its weights (and
 * the optimizer's slots) are copied to the backend now in use before fit, evaluate or predict
 * runs, so the call works instead of failing on "inputs live on different backends" (a hint
 * meant for tensors, which names nothing the user made). The copies go through the host, once.
 */
import { DeviceLostError } from '../../errors';
import { currentBackend, tensor } from '../../graph/engine';
import { readTensors } from '../../graph/read-tensors';
import { ensureReadable } from './last-good';
import type { Sequential } from './sequential';

/**
 * Moves every weight and optimizer slot of `model` to the current backend; returns how many moved.
 * A model whose device is gone moves from its last-good state (last-good.ts).
 */
export async function placeOnCurrentBackend(model: Sequential): Promise<number> {
  ensureReadable(model);
  try {
    return await place(model);
  } catch (e) {
    // The device went as the values were read: once it says so, they come from the host copy.
    if (!(e instanceof DeviceLostError)) throw e;
    ensureReadable(model);
    return place(model);
  }
}

async function place(model: Sequential): Promise<number> {
  const backend = currentBackend();
  const variables = model.variables.filter((v) => v.value.backend !== backend);
  const optimizer = model.compiled?.optimizer;
  const state = optimizer?.getState();
  const slots = state ? [...state.slots].filter(([, t]) => t.backend !== backend) : [];
  if (variables.length === 0 && slots.length === 0) return 0;
  // Every copy is made before the first assignment: a read that fails leaves the model as it was.
  // One batched read for all of them (a map round trip each would cost most of the move on WebGPU).
  const from = [...variables.map((v) => v.value), ...slots.map(([, t]) => t)];
  const read = await readTensors(from);
  const moved = from.map((t, k) => tensor(read[k], [...t.shape]));
  const values = moved.slice(0, variables.length);
  const movedSlots = moved.slice(variables.length);
  variables.forEach((v, i) => {
    v.value = values[i];
  });
  if (optimizer && state && slots.length > 0) {
    const all = new Map(state.slots);
    for (const [i, [key]] of slots.entries()) all.set(key, movedSlots[i]);
    optimizer.setState({ ...state, slots: all });
  }
  return variables.length + slots.length;
}
