/**
 * Host copies of every weight of a model. The copies own their memory (read back, then copied),
 * so nothing a later training step or backend does can reach them; restoring uploads fresh
 * tensors, so the model never aliases the stored arrays either.
 */
import { tensor } from '../../graph/engine';
import { readTensors } from '../../graph/read-tensors';
import type { Tensor } from '../../graph/tensor';
import type { HostTensor } from '../metric';
import type { Sequential } from '../model/sequential';

/** Every weight by name (`dense_1.kernel`), in the model's order. */
export type WeightsSnapshot = ReadonlyMap<string, Readonly<HostTensor>>;

export async function snapshotWeights(model: Sequential): Promise<WeightsSnapshot> {
  const variables = model.variables;
  const values = await readTensors(variables.map((v) => v.value));
  return new Map(variables.map((v, i) => [v.name, { data: values[i].slice(), shape: [...v.shape] }]));
}

export function restoreWeights(model: Sequential, snapshot: WeightsSnapshot): void {
  const weights = new Map<string, Tensor>();
  for (const [name, h] of snapshot) weights.set(name, tensor(h.data.slice(), h.shape));
  model.setWeightsByName(weights);
}
