/**
 * The values of many tensors at once, for the readers of a whole model (the last-good copy,
 * weight exports, checkpoints, histograms): one batched read per backend that has `readMany`,
 * else every tensor's own read, all started together. Every read is issued before this returns
 * its promise, so the values are those of the work queued before the call.
 */
import type { Backend } from './backend';
import type { Tensor } from './tensor';

/** Each tensor's values, in order; rejects with the failure the first failing tensor's read gives. */
export async function readTensors(tensors: readonly Tensor[]): Promise<Float32Array[]> {
  const byBackend = new Map<Backend, number[]>();
  tensors.forEach((t, i) => {
    const indices = byBackend.get(t.backend);
    if (indices) indices.push(i);
    else byBackend.set(t.backend, [i]);
  });
  const out: Float32Array[] = new Array(tensors.length);
  const reads = [...byBackend].map(async ([backend, indices]) => {
    const values = backend.readMany
      ? await backend.readMany(indices.map((i) => ({ storage: tensors[i].storage, size: tensors[i].size })))
      : await Promise.all(indices.map((i) => tensors[i].data()));
    indices.forEach((i, k) => {
      out[i] = values[k];
    });
  });
  await Promise.all(reads);
  return out;
}
