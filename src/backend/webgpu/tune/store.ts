/**
 * Where tuning results persist between sessions: IndexedDB in browsers and Workers (idb-keyval), a
 * JSON file in Node (under the OS cache directory unless a path is given), memory elsewhere. Each
 * entry holds one adapter's choices under a key naming the adapter and the library's version, so a
 * driver update or a new release tunes again instead of trusting another kernel's figures.
 */
import { createStore, get, set } from 'idb-keyval';
import { version } from '../../../../package.json';

/** One shape class's outcome: the kernel kept and the times that decided it. */
export interface TuningRecord {
  /** candidateId of the kernel kept (kernels/matmul.ts). */
  readonly candidate: string;
  /** Its time per run, ms. */
  readonly ms: number;
  /** The built-in rule's kernel for the class and its time per run, ms. */
  readonly builtin: string;
  readonly builtinMs: number;
}

/** Shape class -> record, for one adapter and library version. */
export type TuningRecords = Readonly<Record<string, TuningRecord>>;

export interface TuningStore {
  /** What `key` holds, or {} when nothing (or something unreadable) is there. */
  load(key: string): Promise<TuningRecords>;
  save(key: string, records: TuningRecords): Promise<void>;
  /** For getBackendInfo(): 'IndexedDB', a file path, 'memory'. */
  readonly where: string;
}

/** The key of one adapter's entry: the library's version and every identifying string the adapter gives. */
export function tuningKey(adapter: Readonly<Record<string, string>>): string {
  const fields = Object.entries(adapter)
    .filter(([, v]) => v.length > 0)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`);
  return `webgpu-trainer ${version} | ${fields.join(' | ')}`;
}

export class MemoryTuningStore implements TuningStore {
  readonly where = 'memory';
  private readonly entries = new Map<string, TuningRecords>();

  async load(key: string): Promise<TuningRecords> {
    return { ...(this.entries.get(key) ?? {}) };
  }

  async save(key: string, records: TuningRecords): Promise<void> {
    this.entries.set(key, { ...records });
  }
}

/** Keeps only well-formed records, so a hand-edited or truncated cache cannot inject odd values. */
function wellFormed(value: unknown): TuningRecords {
  if (typeof value !== 'object' || value === null) return {};
  const out: Record<string, TuningRecord> = {};
  for (const [k, r] of Object.entries(value as Record<string, unknown>)) {
    const rec = r as Partial<TuningRecord> | null;
    if (
      typeof rec?.candidate === 'string' &&
      typeof rec.builtin === 'string' &&
      Number.isFinite(rec.ms) &&
      Number.isFinite(rec.builtinMs)
    )
      out[k] = rec as TuningRecord;
  }
  return out;
}

export class IndexedDbTuningStore implements TuningStore {
  readonly where = 'IndexedDB';
  private readonly store = createStore('webgpu-trainer-tuning', 'choices');

  async load(key: string): Promise<TuningRecords> {
    return wellFormed(await get(key, this.store));
  }

  save(key: string, records: TuningRecords): Promise<void> {
    return set(key, records, this.store);
  }
}

type NodeFs = {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
};

/** A variable specifier keeps bundlers from resolving a Node-only module for the browser. */
async function nodeModule<T>(name: string): Promise<T> {
  return (await import(/* @vite-ignore */ name)) as T;
}

/**
 * One JSON file of every adapter's entries. Writes go to a temporary file renamed over the old one,
 * so a crash mid-write leaves the previous cache, never half a file.
 */
export class FileTuningStore implements TuningStore {
  constructor(readonly where: string) {}

  private async readAll(fs: NodeFs): Promise<Record<string, unknown>> {
    try {
      const parsed: unknown = JSON.parse(await fs.readFile(this.where, 'utf8'));
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }

  async load(key: string): Promise<TuningRecords> {
    const fs = await nodeModule<NodeFs>('node:fs/promises');
    return wellFormed((await this.readAll(fs))[key]);
  }

  async save(key: string, records: TuningRecords): Promise<void> {
    const fs = await nodeModule<NodeFs>('node:fs/promises');
    const path = await nodeModule<{ dirname(p: string): string }>('node:path');
    await fs.mkdir(path.dirname(this.where), { recursive: true });
    const all = { ...(await this.readAll(fs)), [key]: records };
    const temporary = `${this.where}.${Date.now()}-${Math.random().toString(36).slice(2)}.tmp`;
    await fs.writeFile(temporary, `${JSON.stringify(all, null, 1)}\n`);
    await fs.rename(temporary, this.where);
  }
}

/** The cache file in Node: $XDG_CACHE_HOME or ~/.cache, then webgpu-trainer/tuning.json. */
async function defaultCachePath(): Promise<string> {
  const os = await nodeModule<{ homedir(): string; tmpdir(): string }>('node:os');
  const path = await nodeModule<{ join(...p: string[]): string }>('node:path');
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir() || os.tmpdir(), '.cache');
  return path.join(base, 'webgpu-trainer', 'tuning.json');
}

/** IndexedDB where there is one, a file in Node (at `path`, else the default cache path), else memory. */
export async function defaultTuningStore(path?: string): Promise<TuningStore> {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (isNode) return new FileTuningStore(path ?? (await defaultCachePath()));
  if (typeof indexedDB !== 'undefined') return new IndexedDbTuningStore();
  return new MemoryTuningStore();
}

/** What a backend's `tuningStore` option names: a store, a cache file path (Node), null for memory only, or the default. */
export type TuningStoreOption = TuningStore | string | null | undefined;

export function resolveTuningStore(option: TuningStoreOption): Promise<TuningStore> {
  if (option === null) return Promise.resolve(new MemoryTuningStore());
  if (typeof option === 'object') return Promise.resolve(option);
  return defaultTuningStore(option);
}
