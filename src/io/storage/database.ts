/**
 * One IndexedDB object store (through idb-keyval) holds everything the trainer keeps: saved models
 * as two records each (a small info record for listings, the weights for loading) and training
 * checkpoints. Records that belong together are written in one transaction, so a crash or a reload
 * mid-write leaves either the old state or the new one, never half of each.
 */
import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';

export const DEFAULT_DATABASE = 'webgpu-trainer';

const stores = new Map<string, UseStore>();

export function openStore(dbName: string): UseStore {
  let store = stores.get(dbName);
  if (!store) {
    store = createStore(dbName, 'records');
    stores.set(dbName, store);
  }
  return store;
}

/** Values of every record whose key starts with `prefix`. */
export function valuesWithPrefix<T>(store: UseStore, prefix: string): Promise<T[]> {
  return store('readonly', (s) =>
    promisifyRequest(s.getAll(IDBKeyRange.bound(prefix, `${prefix}\uffff`)) as IDBRequest<T[]>),
  );
}

/** Runs `write` on the object store inside one read-write transaction and waits for it to commit. */
export function transaction(store: UseStore, write: (s: IDBObjectStore) => void): Promise<void> {
  return store('readwrite', (s) => {
    write(s);
    return promisifyRequest(s.transaction);
  });
}

export function getRecord<T>(store: UseStore, key: string): Promise<T | undefined> {
  return store('readonly', (s) => promisifyRequest(s.get(key) as IDBRequest<T | undefined>));
}
