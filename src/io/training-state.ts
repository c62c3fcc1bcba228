/**
 * The shape of a training state as plain data (captured and restored in ./checkpoint.ts, checked
 * on the way back in by ./training-state-checks.ts), apart from both so neither imports the other.
 */
import type { HistoryJSON } from '../nn/model/history';
import type { SerializedOptimizer } from '../nn/optimizers/optimizer';

export const OPTIMIZER_STATE_FORMAT = 'webgpu-trainer-optimizer-state';

/** The optimizer as saved in a training state. */
export interface OptimizerStateRecord {
  format: typeof OPTIMIZER_STATE_FORMAT;
  version: 1;
  optimizer: SerializedOptimizer;
  /** Updates applied so far (Adam's bias correction and Dropout's mask step read it). */
  iterations: number;
  /** safetensors bytes of the slots, named `<weight>.<slot>` (`dense_1.kernel.m`). */
  slots: Uint8Array;
}

/**
 * Field names follow the IndexedDB CheckpointStore's record (epoch, weights, optimizerState,
 * history), so `{ runId, ...state, run: state.extra }` is a checkpoint.
 */
export interface TrainingState {
  /** Epochs completed: the `initialEpoch` of the resumed fit. */
  epoch: number;
  /** The model's weights file (safetensors) with `model_config` and `training_config` metadata. */
  weights: Uint8Array;
  optimizerState: OptimizerStateRecord;
  history: HistoryJSON;
  /** The caller's own structured-cloneable data, returned as it was given. */
  extra: Record<string, unknown>;
}
