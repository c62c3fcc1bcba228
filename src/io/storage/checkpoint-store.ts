import { DEFAULT_DATABASE, getRecord, openStore, transaction, valuesWithPrefix } from './database';
import { StorageError } from './errors';

/**
 * Everything needed to continue a training run after a reload: the weights file, the optimizer's
 * state (moments, step count), the epoch reached, the History so far, and whatever the app needs to
 * rebuild the run (model config, data preprocessing, dataset reference, fit options).
 */
export interface Checkpoint {
  runId: string;
  /** Epochs completed. */
  epoch: number;
  weights: Uint8Array;
  optimizerState: unknown;
  history: unknown;
  run: Record<string, unknown>;
}

interface StoredCheckpoint extends Checkpoint {
  format: 'webgpu-trainer-checkpoint';
  version: 1;
  savedAt: number;
  /** Written with the record, checked on read: a damaged record is never taken as good. */
  weightsBytes: number;
}

const key = (runId: string) => `checkpoint:${runId}`;
const runKey = (runId: string) => `run:${runId}`;

/** Per-run training checkpoints; each write replaces the run's previous one in a single put. */
export class CheckpointStore {
  private readonly store;

  constructor(dbName = DEFAULT_DATABASE) {
    this.store = openStore(dbName);
  }

  async write(checkpoint: Checkpoint): Promise<void> {
    const record: StoredCheckpoint = {
      ...checkpoint,
      format: 'webgpu-trainer-checkpoint',
      version: 1,
      savedAt: Date.now(),
      weightsBytes: checkpoint.weights.byteLength,
    };
    await transaction(this.store, (s) => {
      s.put(record, key(checkpoint.runId));
    });
  }

  /** The run's checkpoint, undefined if it has none; throws if the stored record is damaged. */
  async read(runId: string): Promise<(Checkpoint & { savedAt: number }) | undefined> {
    const record = await getRecord<StoredCheckpoint>(this.store, key(runId));
    return record === undefined ? undefined : validate(record, runId);
  }

  /** The most recently written valid checkpoint of any run (what a reloaded page resumes). */
  async latest(): Promise<(Checkpoint & { savedAt: number }) | undefined> {
    const records = await valuesWithPrefix<StoredCheckpoint>(this.store, 'checkpoint:');
    const valid = records.flatMap((r) => {
      try {
        return [validate(r, r.runId)];
      } catch {
        return [];
      }
    });
    return valid.sort((a, b) => b.savedAt - a.savedAt)[0];
  }

  /**
   * What a run needs besides its checkpoints to continue after a reload (its data, model and
   * settings): written once when the run starts, so checkpoints stay small.
   */
  async writeRun(runId: string, run: Record<string, unknown>): Promise<void> {
    await transaction(this.store, (s) => {
      s.put({ runId, run, savedAt: Date.now() }, runKey(runId));
    });
  }

  async readRun(runId: string): Promise<Record<string, unknown> | undefined> {
    return (await getRecord<{ run: Record<string, unknown> }>(this.store, runKey(runId)))?.run;
  }

  /** Forgets the run: its checkpoint and its run record, in one transaction. */
  async clear(runId: string): Promise<void> {
    await transaction(this.store, (s) => {
      s.delete(key(runId));
      s.delete(runKey(runId));
    });
  }
}

function validate(record: StoredCheckpoint, runId: string): Checkpoint & { savedAt: number } {
  const problem =
    record.format !== 'webgpu-trainer-checkpoint'
      ? `format is ${String(record.format)}`
      : record.version !== 1
        ? `version ${String(record.version)} is not supported`
        : !(record.weights instanceof Uint8Array) || record.weights.byteLength !== record.weightsBytes
          ? `weights hold ${record.weights?.byteLength ?? 'no'} bytes, expected ${record.weightsBytes}`
          : !Number.isInteger(record.epoch) || record.epoch < 0
            ? `epoch ${record.epoch} is not a count`
            : null;
  if (problem) throw new StorageError(`checkpoint of run '${runId}' is damaged: ${problem}`);
  const { format: _f, version: _v, weightsBytes: _w, ...checkpoint } = record;
  return checkpoint;
}
