/**
 * A training run's full state as plain data, so a run resumes after a page reload exactly as if it
 * had not stopped: the weights file (model and compile config in its metadata; BatchNormalization's
 * moving statistics are weights), the optimizer's class, config, step count and slots (Adam's
 * moments, as safetensors bytes), the epochs completed, the History so far, and the caller's
 * extras (the data preprocessing, fit options). Everything is structured-cloneable, so it goes
 * into IndexedDB or a postMessage as it is. Dropout masks and shuffling derive from the model's
 * seed, the epoch and the optimizer's step, all restored, so the resumed epochs match.
 */
import { fmtShape, InvalidArgumentError } from '../errors';
import { tensor } from '../graph/engine';
import { shapesEqual } from '../graph/shape';
import type { Tensor } from '../graph/tensor';
import type { LossSpec } from '../nn/losses';
import type { Metric } from '../nn/metric';
import { History, type HistoryJSON } from '../nn/model/history';
import type { Sequential } from '../nn/model/sequential';
import { optimizerFromConfig } from '../nn/optimizers/index';
import { WeightsFileError } from './errors';
import { compileFromFile, fromFile, modelFromDecoded, trainingConfigOf } from './load-model';
import { exportModelWeights, hostTensors } from './model-io';
import { decodeSafetensors, encodeSafetensors } from './safetensors';
import { OPTIMIZER_STATE_FORMAT, type OptimizerStateRecord, type TrainingState } from './training-state';
import { checkHistoryJSON, checkOptimizerRecord, checkStateShape } from './training-state-checks';

export { OPTIMIZER_STATE_FORMAT, type OptimizerStateRecord, type TrainingState };

export interface CaptureOptions {
  /** Epochs completed so far. */
  epoch: number;
  /** The run's History (fit's return value) or its JSON; default empty. */
  history?: History | HistoryJSON;
  extra?: Record<string, unknown>;
  /** More metadata strings for the weights file (e.g. the preprocessing JSON). */
  metadata?: Record<string, string>;
}

/** Captures a compiled model's training state, between epochs (or after fit returns). */
export async function captureTrainingState(
  model: Sequential,
  options: CaptureOptions,
): Promise<TrainingState> {
  const compiled = model.requireCompiled('captureTrainingState');
  const { epoch } = options;
  if (!Number.isInteger(epoch) || epoch < 0) {
    throw new InvalidArgumentError(
      `captureTrainingState(epoch=${String(epoch)}): epoch must be the number of epochs completed, a non-negative integer`,
    );
  }
  const historyJSON =
    options.history instanceof History
      ? options.history.toJSON()
      : structuredClone(options.history ?? { epoch: [], history: {}, error: null });
  checkHistoryJSON('captureTrainingState(history)', historyJSON);
  // Cloned now: a function or DOM node in extra fails here rather than at the IndexedDB write,
  // and later changes to the caller's object do not reach the state.
  let extra: Record<string, unknown>;
  try {
    extra = structuredClone(options.extra ?? {});
  } catch (e) {
    throw new InvalidArgumentError(
      `captureTrainingState(extra): ${(e as Error).message}; extra must be structured-cloneable (plain data, typed arrays; no functions or class instances with behaviour)`,
    );
  }
  const weights = await exportModelWeights(model, {
    metadata: options.metadata,
    includeTrainingConfig: true,
  });
  const { iterations, slots } = compiled.optimizer.getState();
  const slotBytes = encodeSafetensors(await hostTensors(slots));
  return {
    epoch,
    weights,
    optimizerState: {
      format: OPTIMIZER_STATE_FORMAT,
      version: 1,
      optimizer: compiled.optimizer.serialize(),
      iterations,
      slots: slotBytes,
    },
    history: historyJSON,
    extra,
  };
}

export interface RestoreOptions {
  /** Compile with this loss instead of the saved one. */
  loss?: LossSpec;
  /** Compile with these metrics instead of the saved names (needed for metrics saved by object). */
  metrics?: (string | Metric)[];
  /** Named in errors (default 'training state'). */
  fileName?: string;
}

export interface RestoredTraining {
  /** Built, weights loaded, compiled with the restored optimizer (step and slots included). */
  model: Sequential;
  /** Pass to `fit({ initialEpoch })`. */
  initialEpoch: number;
  /** Pass to `fit({ history })`: the resumed run appends to it. */
  history: History;
  extra: Record<string, unknown>;
}

/** Slot tensors checked against the model's weights: each `<weight>.<slot>` has its weight's shape. */
function slotTensors(file: string, model: Sequential, bytes: Uint8Array): Map<string, Tensor> {
  const decoded = decodeSafetensors(bytes, { fileName: `${file} optimizer slots`, nonFinite: 'error' });
  const variables = model.variables;
  const slots = new Map<string, Tensor>();
  for (const [name, t] of decoded.tensors) {
    const owner = variables.find(
      (v) => name.startsWith(`${v.name}.`) && !name.slice(v.name.length + 1).includes('.'),
    );
    if (!owner) {
      throw new WeightsFileError(
        file,
        `optimizer slot '${name}' belongs to no weight of model '${model.name}'`,
      );
    }
    if (!shapesEqual(t.shape, owner.shape)) {
      throw new WeightsFileError(
        file,
        `optimizer slot '${name}' has shape ${fmtShape(t.shape)}, its weight ${owner.name} ${fmtShape(owner.shape)}`,
      );
    }
    slots.set(name, tensor(t.data, t.shape));
  }
  return slots;
}

/**
 * Rebuilds a run from `captureTrainingState` (e.g. read back from IndexedDB after a reload) into a
 * new model. The whole state is checked first; a damaged one throws WeightsFileError.
 */
export function restoreTrainingState(state: unknown, options: RestoreOptions = {}): RestoredTraining {
  const file = options.fileName ?? 'training state';
  const checked = checkStateShape(file, state);
  const record = checkOptimizerRecord(file, checked.optimizerState);
  const decoded = decodeSafetensors(checked.weights, { fileName: file });
  const training = trainingConfigOf(file, decoded.metadata);
  const { model } = modelFromDecoded(decoded, { fileName: file, compile: false });
  const slots = slotTensors(file, model, record.slots);
  const optimizer = fromFile(file, 'optimizerState.optimizer', () => optimizerFromConfig(record.optimizer));
  compileFromFile(file, model, training, { ...options, optimizer });
  optimizer.setState({ iterations: record.iterations, slots });
  return {
    model,
    initialEpoch: checked.epoch,
    history: History.fromJSON(checked.history),
    extra: structuredClone(checked.extra),
  };
}
