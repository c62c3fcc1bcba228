/**
 * Messages between the page and the training Worker. Everything is structured-cloneable plain
 * data: arrays travel as { data: Float32Array, shape } and their buffers are transferred.
 */
import type { BackendChoice, BackendInfo } from '../backend/index';
import type { TrainingState } from '../io/checkpoint';
import type { WeightHistogramSnapshot } from '../nn/callbacks/weight-histograms';
import type { LossSpec } from '../nn/losses';
import type { RecoveredInfo } from '../nn/model/callback';
import type { HistoryJSON } from '../nn/model/history';
import type { SequentialJSON } from '../nn/model/sequential';
import type { SerializedOptimizer } from '../nn/optimizers/index';

export interface HostArray {
  data: Float32Array;
  shape: number[];
}

/** Which backend a run asks for: 'auto' times the model on both and picks (setBackend('auto')). */
export type BackendRequest = 'auto' | 'webgpu' | 'cpu';

export interface XY {
  x: HostArray;
  y: HostArray;
}

export interface TrainRequest {
  type: 'train';
  runId: string;
  backend: BackendRequest;
  /** With 'auto': choices earlier runs' Workers made, so the same model is not timed again. */
  knownBackendChoices?: BackendChoice[];
  model: SequentialJSON;
  optimizer: SerializedOptimizer;
  loss: LossSpec;
  metrics: string[];
  train: XY;
  validation: XY | null;
  /** Rows to predict once training ends (the test split), for the evaluation view. */
  evaluate: XY | null;
  fit: { epochs: number; batchSize: number; seed: number; classWeight?: Record<number, number> };
  /** Early stopping on val_loss (patience in epochs), restoring the best weights. */
  earlyStopping?: { patience: number };
  /** Extra metadata for the weights files (e.g. the data preprocessing as JSON). */
  metadata?: Record<string, string>;
  /** Continue from a checkpoint (after a page reload) instead of starting from `model`. */
  resume?: TrainingState;
}

/** Outputs of a trained model (its JSON and weights) on new rows. */
export interface PredictRequest {
  type: 'predict';
  id: number;
  backend: BackendRequest;
  model: SequentialJSON;
  weights: Record<string, HostArray>;
  x: HostArray;
}

/** The parts of a run the page tells apart in its progress line. */
export type RunPhase = 'validating' | 'evaluating';

export type ToWorker =
  | TrainRequest
  | PredictRequest
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** Test aid: destroys the Worker's GPU device, as a driver reset would (the page sends it only under ?test-faults). */
  | { type: 'debug-lose-device' };

/**
 * What a run reports many times over, every batch or every epoch. A small model on the CPU runs a
 * batch every ~0.1 ms, so the Worker coalesces these (progress-outbox.ts): at most one 'progress'
 * message per ~50 ms carries them, in order.
 */
export type ProgressMessage =
  | {
      type: 'batch';
      epoch: number;
      batch: number;
      steps: number;
      /** The epoch's running loss and metrics, this batch included. */
      logs: Record<string, number>;
      /** Training samples per second over the epoch so far, on the Worker's clock. */
      samplesPerSecond: number;
      /**
       * Seconds until the last epoch ends, measured in the Worker from every batch's time (eta.ts),
       * pauses left out; null until two batches gave a speed.
       */
      etaSeconds: number | null;
    }
  /** What the run does between batch reports: validating after an epoch's last batch, evaluating after fit. */
  | { type: 'phase'; phase: RunPhase }
  | { type: 'epoch'; epoch: number; logs: Record<string, number> }
  /** The state after an epoch, for the page to store: a reload resumes from it. */
  | { type: 'checkpoint'; runId: string; state: TrainingState }
  /** Weight histograms at train begin and after each epoch (the TensorBoard view). */
  | { type: 'histograms'; snapshot: WeightHistogramSnapshot };

export type FromWorker =
  | ProgressMessage
  /**
   * Progress messages in the order they happened, posted together: batches between an epoch's
   * first and last are only the newest, and a checkpoint replaces the older ones not yet posted.
   */
  | { type: 'progress'; messages: ProgressMessage[] }
  | {
      type: 'started';
      runId: string;
      backend: BackendInfo;
      steps: number;
      samples: number;
      initialEpoch: number;
    }
  /**
   * fit recovered from a device fault (the device lost, or an allocation it could not take) and goes
   * on from epoch `info.epoch` on `backend`; the same entry ends up in the done message's history.
   */
  | { type: 'recovered'; info: RecoveredInfo; backend: BackendInfo }
  | { type: 'paused' }
  | { type: 'resumed' }
  | {
      type: 'done';
      runId: string;
      /** The backend as training ended: with the kernels tuning chose by then (getBackendInfo().tuning). */
      backend?: BackendInfo;
      history: HistoryJSON;
      /** Final weights by name (`dense_1.kernel`). */
      weights: Record<string, HostArray>;
      /** The trained model as a safetensors file, its config and `metadata` inside. */
      file: Uint8Array;
      /** Model outputs on `evaluate.x`, and its loss and metrics, when evaluate rows were given. */
      evaluation: { predictions: HostArray; logs: Record<string, number> } | null;
      stoppedEarly: boolean;
      /** Set when early stopping ended the run: the epoch whose weights were restored. */
      bestEpoch: number | null;
    }
  | { type: 'error'; name: string; message: string }
  | { type: 'predictions'; id: number; y: HostArray | null; error: string | null };

/** The buffers of a message's arrays, to transfer instead of copy. */
export function transferables(value: unknown, out: ArrayBuffer[] = []): ArrayBuffer[] {
  if (value instanceof Float32Array) {
    if (value.buffer instanceof ArrayBuffer && !out.includes(value.buffer)) out.push(value.buffer);
  } else if (Array.isArray(value)) {
    for (const v of value) transferables(v, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) transferables(v, out);
  }
  return out;
}
