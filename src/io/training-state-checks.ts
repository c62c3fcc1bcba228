/**
 * Shape checks of a training state read back from storage, before any of it is used: a record
 * damaged in IndexedDB, or written by another version, must fail with a message naming the field,
 * never as a TypeError deep inside a resumed fit.
 */
import type { HistoryJSON } from '../nn/model/history';
import { WeightsFileError } from './errors';
import { OPTIMIZER_STATE_FORMAT, type OptimizerStateRecord, type TrainingState } from './training-state';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const kindOf = (v: unknown): string =>
  v instanceof Uint8Array ? `a Uint8Array of ${v.length} bytes` : Array.isArray(v) ? 'an array' : typeof v;

/** Bytes as a Uint8Array (an ArrayBuffer is accepted: some stores hand back the buffer). */
function bytesField(file: string, field: string, v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  throw new WeightsFileError(file, `${field} is ${kindOf(v)}; expected the bytes (a Uint8Array)`);
}

/** Throws unless `h` is History JSON: epochs as integers, each series a number per epoch. */
export function checkHistoryJSON(where: string, h: unknown): asserts h is HistoryJSON {
  const fail = (problem: string): never => {
    throw new WeightsFileError(where, problem);
  };
  if (!isObject(h)) fail(`history is ${kindOf(h)}; expected { epoch, history, error }`);
  const json = h as Record<string, unknown>;
  if (!Array.isArray(json.epoch) || !json.epoch.every((e) => Number.isInteger(e) && e >= 0)) {
    fail('history.epoch must be an array of non-negative integers');
  }
  if (!isObject(json.history)) fail('history.history must be an object of number arrays');
  const epochs = (json.epoch as number[]).length;
  for (const [key, series] of Object.entries(json.history as Record<string, unknown>)) {
    if (!Array.isArray(series) || !series.every((x) => typeof x === 'number')) {
      fail(`history.history['${key}'] must be an array of numbers`);
    }
    if ((series as number[]).length > epochs) {
      fail(`history.history['${key}'] has ${(series as number[]).length} values for ${epochs} epochs`);
    }
  }
  if (json.error !== null && typeof json.error !== 'string') fail('history.error must be a string or null');
}

/** The state's top-level fields, checked. */
export function checkStateShape(file: string, state: unknown): TrainingState {
  if (!isObject(state)) {
    throw new WeightsFileError(
      file,
      `is ${kindOf(state)}; expected a training state from captureTrainingState`,
    );
  }
  const { epoch } = state;
  if (!Number.isInteger(epoch) || (epoch as number) < 0) {
    throw new WeightsFileError(file, `epoch is ${JSON.stringify(epoch)}; expected a non-negative integer`);
  }
  checkHistoryJSON(file, state.history);
  const last = state.history.epoch[state.history.epoch.length - 1];
  if (last !== undefined && last >= (epoch as number)) {
    throw new WeightsFileError(
      file,
      `history records epoch ${last} but the state says ${String(epoch)} epochs were completed`,
    );
  }
  if (state.extra !== undefined && !isObject(state.extra)) {
    throw new WeightsFileError(file, `extra is ${kindOf(state.extra)}; expected an object`);
  }
  return {
    epoch: epoch as number,
    weights: bytesField(file, 'weights', state.weights),
    optimizerState: state.optimizerState as OptimizerStateRecord,
    history: state.history,
    extra: (state.extra ?? {}) as Record<string, unknown>,
  };
}

/** The optimizer record, checked field by field. */
export function checkOptimizerRecord(file: string, record: unknown): OptimizerStateRecord {
  if (!isObject(record) || record.format !== OPTIMIZER_STATE_FORMAT) {
    throw new WeightsFileError(
      file,
      `optimizerState is not an optimizer state record (format ${JSON.stringify(isObject(record) ? record.format : undefined)}, expected '${OPTIMIZER_STATE_FORMAT}')`,
    );
  }
  if (record.version !== 1) {
    throw new WeightsFileError(
      file,
      `optimizerState.version is ${JSON.stringify(record.version)}; this reader understands version 1`,
    );
  }
  const { iterations, optimizer } = record;
  if (!Number.isInteger(iterations) || (iterations as number) < 0) {
    throw new WeightsFileError(
      file,
      `optimizerState.iterations is ${JSON.stringify(iterations)}; expected a non-negative integer`,
    );
  }
  if (!isObject(optimizer) || typeof optimizer.className !== 'string' || !isObject(optimizer.config)) {
    throw new WeightsFileError(file, 'optimizerState.optimizer must be { className, config }');
  }
  return {
    format: OPTIMIZER_STATE_FORMAT,
    version: 1,
    optimizer: optimizer as unknown as OptimizerStateRecord['optimizer'],
    iterations: iterations as number,
    slots: bytesField(file, 'optimizerState.slots', record.slots),
  };
}
