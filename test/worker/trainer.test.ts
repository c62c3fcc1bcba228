import { describe, expect, test } from 'vitest';
import type { FromWorker } from '../../src/worker/protocol';
import { TrainingSession } from '../../src/worker/trainer';
import { FakeClock } from './fake-clock';
import { irisRequest as baseRequest } from './iris-request';
import { flatten } from './messages';

type Batch = Extract<FromWorker, { type: 'batch' }>;
type Checkpoint = Extract<FromWorker, { type: 'checkpoint' }>;

const irisRequest = (epochs: number) => baseRequest({ epochs });

/** Every message posted (`posts`) and every message the page takes in (`messages`, 'progress' opened). */
function collect(): {
  posts: FromWorker[];
  messages: FromWorker[];
  post: (m: FromWorker) => void;
  next: (type: FromWorker['type']) => Promise<FromWorker>;
} {
  const posts: FromWorker[] = [];
  const messages: FromWorker[] = [];
  const waiters: { type: FromWorker['type']; resolve: (m: FromWorker) => void }[] = [];
  return {
    posts,
    messages,
    post: (posted) => {
      posts.push(posted);
      for (const m of flatten(posted)) {
        messages.push(m);
        for (const w of waiters.filter((w) => w.type === m.type)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    },
    next: (type) => new Promise((resolve) => waiters.push({ type, resolve })),
  };
}

/** Each message posted as it is made (no coalescing), for tests that act on one at its moment. */
const eachAtOnce = { progressIntervalMs: 0 };

describe('TrainingSession', () => {
  test('trains from JSON, reports every batch and epoch, and returns weights and test predictions', async () => {
    const request = await irisRequest(25);
    const { messages, post, next } = collect();
    const done = next('done');
    await new TrainingSession(post, eachAtOnce).run(request);
    const result = (await done) as Extract<FromWorker, { type: 'done' }>;
    const started = messages[0] as Extract<FromWorker, { type: 'started' }>;
    expect(started.type).toBe('started');
    expect(started.backend.name).toBe('cpu');
    expect(messages.filter((m) => m.type === 'batch')).toHaveLength(25 * started.steps);
    expect(messages.filter((m) => m.type === 'epoch')).toHaveLength(25);
    expect(result.history.epoch).toHaveLength(25);
    expect(result.history.history.val_loss).toHaveLength(25);
    const losses = result.history.history.loss;
    expect(losses[24]).toBeLessThan(losses[0] / 3);
    expect(result.evaluation?.predictions.shape).toEqual([request.evaluate!.x.shape[0], 3]);
    expect(result.evaluation?.logs.accuracy).toBeGreaterThan(0.85);
    expect(Object.keys(result.weights).sort()).toEqual([
      'dense_1.bias',
      'dense_1.kernel',
      'dense_2.bias',
      'dense_2.kernel',
    ]);
    expect(result.weights['dense_1.kernel'].shape).toEqual([request.train.x.shape[1], 16]);
    expect(result.stoppedEarly).toBe(false);
  });

  test("a fast run's progress is coalesced: every epoch, each one's first and last batch, with the Worker's own ETA", async () => {
    const request = await irisRequest(30);
    const { posts, messages, post, next } = collect();
    const done = next('done');
    // Each reading of this clock is 0.01 ms after the last: a machine so fast that the 50 ms
    // between two posts never pass, and only 'started', 'evaluating' and 'done' force them.
    await new TrainingSession(post, { clock: new FakeClock(0.01) }).run(request);
    await done;
    const steps = (messages[0] as Extract<FromWorker, { type: 'started' }>).steps;
    expect(steps).toBeGreaterThan(2);
    // The first batch goes at once (nothing was posted for 50 ms), and the first validation's
    // start; the rest waits for 'evaluating'.
    expect(posts.filter((m) => m.type === 'progress')).toHaveLength(3);
    expect(posts.filter((m) => m.type === 'batch' || m.type === 'epoch')).toHaveLength(0);
    const batches = messages.filter((m): m is Batch => m.type === 'batch');
    const epochs = Array.from({ length: 30 }, (_, e) => e);
    expect(batches.map((m) => [m.epoch, m.batch])).toEqual(
      epochs.flatMap((e) => [
        [e, 0],
        [e, steps - 1],
      ]),
    );
    const epochEnds = messages.filter((m): m is Extract<FromWorker, { type: 'epoch' }> => m.type === 'epoch');
    expect(epochEnds.map((m) => m.epoch)).toEqual(epochs);
    // The last batch of an epoch carries the epoch's running loss, as the epoch message does.
    for (const [e, m] of epochEnds.entries())
      expect(batches[2 * e + 1].logs.loss).toBeCloseTo(m.logs.loss, 6);
    expect(messages.filter((m) => m.type === 'histograms')).toHaveLength(31);
    // Only the newest checkpoint, that of the last epoch, was left to post.
    const checkpoints = messages.filter((m): m is Checkpoint => m.type === 'checkpoint');
    expect(checkpoints.map((m) => m.state.epoch)).toEqual([30]);
    // The ETA is measured in the Worker, at every batch: known from the second batch on, and
    // falling as the run goes (the page sees two batches an epoch here, too few to measure it).
    expect(batches[0].etaSeconds).toBeNull();
    const eta = (e: number) => batches[2 * e + 1].etaSeconds ?? Number.NaN;
    expect(eta(0)).toBeGreaterThan(eta(15));
    expect(eta(15)).toBeGreaterThan(eta(29));
    expect(eta(29)).toBeGreaterThanOrEqual(0);
  });

  test('pause holds training between batches until resume', async () => {
    const { messages, post, next } = collect();
    const session = new TrainingSession((posted) => {
      post(posted);
      if (flatten(posted).some((m) => m.type === 'batch' && m.epoch === 0 && m.batch === 0)) session.pause();
    }, eachAtOnce);
    const done = next('done');
    const run = session.run(await irisRequest(2));
    await next('paused');
    const countAtPause = messages.filter((m) => m.type === 'batch').length;
    await new Promise((r) => setTimeout(r, 150));
    expect(messages.filter((m) => m.type === 'batch').length).toBe(countAtPause);
    session.resume();
    await done;
    await run;
    expect(messages.some((m) => m.type === 'resumed')).toBe(true);
    expect((messages.at(-1) as Extract<FromWorker, { type: 'done' }>).history.epoch).toEqual([0, 1]);
  });

  test('stop ends the run after the current batch and still reports the weights reached', async () => {
    const { post, next } = collect();
    const session = new TrainingSession((posted) => {
      post(posted);
      if (flatten(posted).some((m) => m.type === 'epoch' && m.epoch === 1)) session.stop();
    }, eachAtOnce);
    const done = next('done');
    await session.run(await irisRequest(20));
    const result = (await done) as Extract<FromWorker, { type: 'done' }>;
    expect(result.history.epoch).toEqual([0, 1]);
    expect(result.stoppedEarly).toBe(true);
    expect(result.weights['dense_2.kernel'].data.length).toBe(48);
  });

  test('a model that does not build is reported as an error message naming the layer', async () => {
    const request = await irisRequest(1);
    request.model.layers[0] = { className: 'Dense', config: { units: 0 } };
    const { post, next } = collect();
    const error = next('error');
    await new TrainingSession(post).run(request);
    const message = (await error) as Extract<FromWorker, { type: 'error' }>;
    expect(message.message).toMatch(/units/);
  });
});

describe('TrainingSession checkpoints', () => {
  type Done = Extract<FromWorker, { type: 'done' }>;

  test('a run resumed from its epoch-2 checkpoint (as after a reload) ends exactly like the uninterrupted run', async () => {
    const full = collect();
    const fullDone = full.next('done');
    await new TrainingSession(full.post, eachAtOnce).run(await irisRequest(4));
    const straight = (await fullDone) as Done;
    const checkpoints = full.messages.filter((m): m is Checkpoint => m.type === 'checkpoint');
    expect(checkpoints.map((c) => c.state.epoch)).toEqual([1, 2, 3, 4]);

    // The state crosses structured cloning, as it does through postMessage and IndexedDB.
    const saved = structuredClone(checkpoints[1].state);
    const resumed = collect();
    const resumedDone = resumed.next('done');
    await new TrainingSession(resumed.post).run({ ...(await irisRequest(4)), resume: saved });
    const after = (await resumedDone) as Done;
    expect((resumed.messages[0] as Extract<FromWorker, { type: 'started' }>).initialEpoch).toBe(2);
    expect(after.history.epoch).toEqual([0, 1, 2, 3]);
    for (const key of ['loss', 'val_loss', 'accuracy']) {
      expect(after.history.history[key]).toEqual(straight.history.history[key]);
    }
    expect(Array.from(after.weights['dense_1.kernel'].data)).toEqual(
      Array.from(straight.weights['dense_1.kernel'].data),
    );
  });

  test('reports weight histograms from train begin and a weights file that loads into the same model', async () => {
    const { messages, post, next } = collect();
    const done = next('done');
    await new TrainingSession(post).run(await irisRequest(2));
    const result = (await done) as Done;
    const snapshots = messages.filter((m) => m.type === 'histograms');
    expect(snapshots.map((m) => (m as Extract<FromWorker, { type: 'histograms' }>).snapshot.epoch)).toEqual([
      -1, 0, 1,
    ]);
    const { loadModel } = await import('../../src/io/load-model');
    const model = loadModel(result.file);
    expect(Array.from(await model.getWeightsByName().get('dense_2.kernel')!.data())).toEqual(
      Array.from(result.weights['dense_2.kernel'].data),
    );
  });
});
