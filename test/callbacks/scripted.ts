/**
 * Runs a real fit on a tiny problem while a callback overwrites the monitored log with a scripted
 * sequence, so EarlyStopping and ReduceLROnPlateau see exactly the values a test chooses, and
 * records a host copy of the weights at every epoch end for bit-for-bit comparisons.
 */

import { snapshotWeights, type WeightsSnapshot } from '../../src/nn/callbacks/weights-snapshot';
import { Dense } from '../../src/nn/layers/index';
import { Callback, type Logs } from '../../src/nn/model/callback';
import { Sequential } from '../../src/nn/model/sequential';
import type { Optimizer } from '../../src/nn/optimizers/optimizer';
import { SGD } from '../../src/nn/optimizers/sgd';
import { blobs } from '../nn/helpers';

/** Sets logs[key] to values[epoch] and keeps the weights as each epoch left them. */
export class ScriptedLogs extends Callback {
  readonly weightsAt = new Map<number, WeightsSnapshot>();
  initial: WeightsSnapshot | null = null;

  constructor(
    private readonly key: string,
    private readonly values: readonly number[],
  ) {
    super();
  }

  override async onTrainBegin(): Promise<void> {
    this.initial = await snapshotWeights(this.model!);
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    logs[this.key] = this.values[epoch];
    this.weightsAt.set(epoch, await snapshotWeights(this.model!));
  }
}

export function tinyModel(optimizer: Optimizer = new SGD({ learningRate: 0.1 })): Sequential {
  const model = new Sequential({
    seed: 3,
    layers: [
      new Dense({ units: 4, activation: 'relu', inputShape: [2] }),
      new Dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({ optimizer, loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return model;
}

export const tinyData = blobs(24, 7);

export async function currentWeights(model: Sequential): Promise<WeightsSnapshot> {
  return snapshotWeights(model);
}

/** Plain arrays of a snapshot, for toEqual (which compares Float32Arrays element by element). */
export function plain(s: WeightsSnapshot): Record<string, number[]> {
  return Object.fromEntries([...s].map(([k, v]) => [k, Array.from(v.data)]));
}
