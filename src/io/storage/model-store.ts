import { promisifyRequest } from 'idb-keyval';
import { DEFAULT_DATABASE, getRecord, openStore, transaction, valuesWithPrefix } from './database';
import { StorageError } from './errors';

/** What a listing shows of a saved model, without loading its weights. */
export interface SavedModelInfo {
  name: string;
  /** Milliseconds since the epoch. */
  savedAt: number;
  /** One line, e.g. "dense_1 Dense(16) → dense_2 Dense(3)". */
  architecture: string;
  params: number;
  /** Size of the weights file in bytes. */
  sizeBytes: number;
  /** Final metrics (loss, accuracy, val_loss, ...). */
  metrics: Record<string, number>;
}

export interface SavedModel extends SavedModelInfo {
  /** The weights file (safetensors, with the model config in its metadata). */
  weights: Uint8Array;
  /** Anything else that must travel with the model, e.g. the fitted preprocessing as JSON. */
  extra?: Record<string, unknown>;
}

const infoKey = (name: string) => `model-info:${name}`;
const bodyKey = (name: string) => `model-body:${name}`;

interface ModelBody {
  weights: Uint8Array;
  extra?: Record<string, unknown>;
}

/** Saved models in IndexedDB: save, list, load, rename, delete. */
export class ModelStore {
  private readonly store;

  constructor(dbName = DEFAULT_DATABASE) {
    this.store = openStore(dbName);
  }

  /** Saves (or replaces) a model; its info and weights are written in one transaction. */
  async save(model: SavedModel): Promise<void> {
    const name = checkName(model.name);
    const { weights, extra, ...info } = model;
    const body: ModelBody = { weights, ...(extra ? { extra } : {}) };
    await transaction(this.store, (s) => {
      s.put({ ...info, name, sizeBytes: weights.byteLength }, infoKey(name));
      s.put(body, bodyKey(name));
    });
  }

  /** Every saved model, most recent first. */
  async list(): Promise<SavedModelInfo[]> {
    const infos = await valuesWithPrefix<SavedModelInfo>(this.store, 'model-info:');
    return infos.sort((a, b) => b.savedAt - a.savedAt);
  }

  async load(name: string): Promise<SavedModel> {
    const [info, body] = await Promise.all([
      getRecord<SavedModelInfo>(this.store, infoKey(name)),
      getRecord<ModelBody>(this.store, bodyKey(name)),
    ]);
    if (!info) throw new StorageError(`no saved model is named '${name}'`);
    if (!body || !(body.weights instanceof Uint8Array) || body.weights.byteLength !== info.sizeBytes) {
      throw new StorageError(
        `saved model '${name}' is damaged: its weights are ${body?.weights?.byteLength ?? 'missing'} bytes, ` +
          `expected ${info.sizeBytes}`,
      );
    }
    return { ...info, ...body };
  }

  /** Renames in one transaction; fails if `to` is taken, leaving both models as they were. */
  async rename(from: string, to: string): Promise<void> {
    const target = checkName(to);
    await this.store('readwrite', async (s) => {
      const [info, body, clash] = await Promise.all([
        promisifyRequest(s.get(infoKey(from)) as IDBRequest<SavedModelInfo | undefined>),
        promisifyRequest(s.get(bodyKey(from)) as IDBRequest<ModelBody | undefined>),
        promisifyRequest(s.getKey(infoKey(target))),
      ]);
      if (!info || !body) {
        s.transaction.abort();
        throw new StorageError(`cannot rename '${from}': no saved model has that name`);
      }
      if (clash !== undefined && from !== target) {
        s.transaction.abort();
        throw new StorageError(`cannot rename '${from}' to '${target}': a saved model already has that name`);
      }
      s.delete(infoKey(from));
      s.delete(bodyKey(from));
      s.put({ ...info, name: target }, infoKey(target));
      s.put(body, bodyKey(target));
      return promisifyRequest(s.transaction);
    });
  }

  async delete(name: string): Promise<void> {
    await transaction(this.store, (s) => {
      s.delete(infoKey(name));
      s.delete(bodyKey(name));
    });
  }
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200) {
    throw new StorageError(`a model name must have 1 to 200 characters, received '${name}'`);
  }
  return trimmed;
}
