import 'fake-indexeddb/auto';
import { set } from 'idb-keyval';
import { describe, expect, test } from 'vitest';
import { openStore } from '../../src/io/storage/database';
import { CheckpointStore, ModelStore, type SavedModel, StorageError } from '../../src/io/storage/index';

let dbCount = 0;
const freshDb = () => `test-db-${++dbCount}-${Math.random().toString(36).slice(2)}`;

function model(name: string, savedAt: number, bytes = 16): SavedModel {
  return {
    name,
    savedAt,
    architecture: 'dense_1 Dense(4) → dense_2 Dense(3)',
    params: 35,
    sizeBytes: 0,
    metrics: { loss: 0.25, accuracy: 0.9 },
    weights: Uint8Array.from({ length: bytes }, (_, i) => i),
    extra: { preprocessing: { columns: ['a', 'b'] } },
  };
}

describe('ModelStore', () => {
  test('saves, lists most recent first without weights, and loads byte for byte', async () => {
    const store = new ModelStore(freshDb());
    await store.save(model('first', 1000));
    await store.save(model('second', 2000, 40));
    const list = await store.list();
    expect(list.map((m) => m.name)).toEqual(['second', 'first']);
    expect(list[0].sizeBytes).toBe(40);
    expect('weights' in list[0]).toBe(false);
    const loaded = await store.load('first');
    expect(Array.from(loaded.weights)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(loaded.extra).toEqual({ preprocessing: { columns: ['a', 'b'] } });
    expect(loaded.metrics.accuracy).toBe(0.9);
  });

  test('renames atomically and refuses a name that is taken', async () => {
    const store = new ModelStore(freshDb());
    await store.save(model('a', 1));
    await store.save(model('b', 2));
    await store.rename('a', 'c');
    expect((await store.list()).map((m) => m.name).sort()).toEqual(['b', 'c']);
    expect((await store.load('c')).weights.byteLength).toBe(16);
    await expect(store.rename('c', 'b')).rejects.toThrow(
      /cannot rename 'c' to 'b': a saved model already has that name/,
    );
    expect((await store.list()).map((m) => m.name).sort()).toEqual(['b', 'c']);
    await expect(store.rename('nope', 'x')).rejects.toThrow(StorageError);
  });

  test('deletes, and loading a missing model names it', async () => {
    const store = new ModelStore(freshDb());
    await store.save(model('gone', 1));
    await store.delete('gone');
    expect(await store.list()).toEqual([]);
    await expect(store.load('gone')).rejects.toThrow("no saved model is named 'gone'");
  });

  test('rejects empty names', async () => {
    const store = new ModelStore(freshDb());
    await expect(store.save(model('   ', 1))).rejects.toThrow(/1 to 200 characters/);
  });
});

describe('CheckpointStore', () => {
  const checkpoint = (runId: string, epoch: number) => ({
    runId,
    epoch,
    weights: new Uint8Array([1, 2, 3, 4]),
    optimizerState: { step: epoch * 10, m: [new Float32Array([0.5])] },
    history: { loss: [1, 0.5] },
    run: { config: { layers: 2 } },
  });

  test('keeps one checkpoint per run and reads it back with typed arrays intact', async () => {
    const store = new CheckpointStore(freshDb());
    await store.write(checkpoint('run-1', 1));
    await store.write(checkpoint('run-1', 2));
    const read = await store.read('run-1');
    expect(read?.epoch).toBe(2);
    expect(read?.optimizerState).toEqual({ step: 20, m: [new Float32Array([0.5])] });
    expect(await store.read('run-2')).toBeUndefined();
  });

  test('latest is the most recently written valid checkpoint', async () => {
    const store = new CheckpointStore(freshDb());
    await store.write(checkpoint('old', 3));
    await new Promise((r) => setTimeout(r, 5));
    await store.write(checkpoint('new', 1));
    expect((await store.latest())?.runId).toBe('new');
    await store.clear('new');
    expect((await store.latest())?.runId).toBe('old');
  });

  test('a run record is kept beside its checkpoints and cleared with them', async () => {
    const store = new CheckpointStore(freshDb());
    await store.writeRun('r', { x: new Float32Array([1, 2]), epochs: 5 });
    await store.write(checkpoint('r', 2));
    expect(await store.readRun('r')).toEqual({ x: new Float32Array([1, 2]), epochs: 5 });
    await store.clear('r');
    expect(await store.readRun('r')).toBeUndefined();
    expect(await store.read('r')).toBeUndefined();
  });

  test('a damaged record is refused on read and passed over by latest', async () => {
    const db = freshDb();
    const store = new CheckpointStore(db);
    await store.write(checkpoint('good', 1));
    await set(
      'checkpoint:bad',
      {
        ...checkpoint('bad', 2),
        format: 'webgpu-trainer-checkpoint',
        version: 1,
        savedAt: Date.now() + 1000,
        weightsBytes: 99,
      },
      openStore(db),
    );
    await expect(store.read('bad')).rejects.toThrow(
      /checkpoint of run 'bad' is damaged: weights hold 4 bytes, expected 99/,
    );
    expect((await store.latest())?.runId).toBe('good');
  });
});
