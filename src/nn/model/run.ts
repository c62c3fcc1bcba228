/** What fit fixes for a whole run, handed to the epoch loop, the executor and recovery. */
import type { HostTensor } from '../metric';
import type { CallbackList } from './callback';
import type { History } from './history';
import type { Compiled, Sequential } from './sequential';

/** The training samples and the validation samples (validationData or validationSplit), on the host. */
export interface Split {
  train: { x: HostTensor; y: HostTensor };
  validation: { x: HostTensor; y: HostTensor } | null;
}

/** Everything one epoch needs, fixed for the whole run. */
export interface Run {
  model: Sequential;
  compiled: Compiled;
  data: Split;
  /** Per-sample loss weights from classWeight, or null. */
  weights: Float32Array | null;
  batchSize: number;
  shuffle: boolean;
  seed: number;
  callbacks: CallbackList;
  history: History;
  aborted: () => boolean;
  /** Recoveries from device faults so far (recovery.ts bounds them). */
  recoveries: number;
  /**
   * The run's first batch loss, one of the divergence guard's reference points (epoch.ts); the
   * other is the model's lowest epoch loss (loss-record.ts).
   */
  firstLoss: number;
}
