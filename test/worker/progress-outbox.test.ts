import { describe, expect, test } from 'vitest';
import type { TrainingState } from '../../src/io/checkpoint';
import type { WeightHistogramSnapshot } from '../../src/nn/callbacks/weight-histograms';
import { ProgressOutbox } from '../../src/worker/progress-outbox';
import type { FromWorker, ProgressMessage } from '../../src/worker/protocol';
import { FakeClock } from './fake-clock';

type Batch = Extract<ProgressMessage, { type: 'batch' }>;

const batch = (epoch: number, b: number, steps: number): Batch => ({
  type: 'batch',
  epoch,
  batch: b,
  steps,
  logs: { loss: 1 / (1 + epoch + b / steps) },
  samplesPerSecond: 10_000,
  etaSeconds: 1,
});
const checkpoint = (epoch: number): ProgressMessage => ({
  type: 'checkpoint',
  runId: 'r',
  state: { epoch } as unknown as TrainingState,
});
const histograms = (epoch: number): ProgressMessage => ({
  type: 'histograms',
  snapshot: { epoch, learningRate: 0.01, weights: [] } as WeightHistogramSnapshot,
});

/** Every post with the clock's time, and the messages the page takes in ('progress' opened). */
function recorder(clock: FakeClock) {
  const posts: { at: number; message: FromWorker }[] = [];
  return {
    posts,
    post: (message: FromWorker) => posts.push({ at: clock.now(), message }),
    items: () => posts.flatMap((p) => (p.message.type === 'progress' ? p.message.messages : [p.message])),
  };
}

/** What ProgressReporter, WeightHistograms and ModelCheckpoint add over `epochs` epochs of `steps` batches. */
function fastRun(outbox: ProgressOutbox, clock: FakeClock, epochs: number, steps: number, batchMs: number) {
  for (let e = 0; e < epochs; e++) {
    for (let b = 0; b < steps; b++) {
      clock.advance(batchMs);
      outbox.add(batch(e, b, steps), { replaceable: b !== 0 && b !== steps - 1 });
    }
    outbox.add({ type: 'phase', phase: 'validating' }, { prompt: true });
    clock.advance(1);
    outbox.add({ type: 'epoch', epoch: e, logs: { loss: 1 / (1 + e) } });
    outbox.add(histograms(e));
    outbox.add(checkpoint(e + 1));
  }
}

describe('ProgressOutbox', () => {
  test('batches of 0.1 ms: two posts per 50 ms at most, with every epoch and its first and last batch', () => {
    const clock = new FakeClock();
    const { posts, post, items } = recorder(clock);
    const outbox = new ProgressOutbox(post, 50, clock);
    // 20 epochs of 200 batches of 0.1 ms and 1 ms of validation each: 420 ms, 8,080 messages.
    fastRun(outbox, clock, 20, 200, 0.1);
    outbox.send({ type: 'paused' });

    // One post when 50 ms have passed, one more when validation begins (and the one 'paused' forced).
    expect(posts.length).toBeLessThanOrEqual(2 * Math.floor(420 / 50) + 3);
    const progressPosts = posts.filter((p) => p.message.type === 'progress');
    // Never three within 50 ms.
    for (let i = 2; i < progressPosts.length - 1; i++) {
      expect(progressPosts[i].at - progressPosts[i - 2].at).toBeGreaterThanOrEqual(50);
    }
    const all = items();
    expect(all.at(-1)).toEqual({ type: 'paused' });
    const epochs = Array.from({ length: 20 }, (_, e) => e);
    expect(all.filter((m) => m.type === 'epoch').map((m) => (m as { epoch: number }).epoch)).toEqual(epochs);
    expect(all.filter((m) => m.type === 'histograms')).toHaveLength(20);
    expect(all.filter((m) => m.type === 'phase')).toHaveLength(20);
    const batches = all.filter((m): m is Batch => m.type === 'batch');
    for (const e of epochs) {
      expect(batches.some((m) => m.epoch === e && m.batch === 0)).toBe(true);
      expect(batches.some((m) => m.epoch === e && m.batch === 199)).toBe(true);
    }
    // In order, and besides the edges only the newest batch of each post's stretch.
    const order = batches.map((m) => m.epoch * 200 + m.batch);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(batches.length).toBeLessThanOrEqual(2 * 20 + progressPosts.length);
    expect(batches.length).toBeLessThan(200);
    // The page hears of the run's newest batch before it pauses.
    expect(batches.at(-1)).toMatchObject({ epoch: 19, batch: 199 });
    // Each post holds at most one checkpoint, the newest one made by then; the last is epoch 20's.
    for (const p of progressPosts) {
      if (p.message.type !== 'progress') continue;
      expect(p.message.messages.filter((m) => m.type === 'checkpoint').length).toBeLessThanOrEqual(1);
    }
    const checkpoints = all.filter((m) => m.type === 'checkpoint');
    expect(checkpoints.length).toBeLessThan(20);
    expect((checkpoints.at(-1) as { state: TrainingState }).state.epoch).toBe(20);
  });

  test('slow batches (over 50 ms) are each posted as they end', () => {
    const clock = new FakeClock();
    const { posts, post, items } = recorder(clock);
    fastRun(new ProgressOutbox(post, 50, clock), clock, 2, 4, 60);
    const batches = items().filter((m): m is Batch => m.type === 'batch');
    expect(batches.map((m) => [m.epoch, m.batch])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [0, 3],
      [1, 0],
      [1, 1],
      [1, 2],
      [1, 3],
    ]);
    expect(posts.length).toBeGreaterThanOrEqual(8);
  });

  test('a message soon after a post waits for the timer, which posts it when the interval has passed', () => {
    const clock = new FakeClock();
    const { posts, post } = recorder(clock);
    const outbox = new ProgressOutbox(post, 50, clock);
    outbox.add(batch(0, 3, 4));
    expect(posts).toHaveLength(1);
    clock.advance(10);
    // Validation begins: the page should hear of it even though no other message follows soon.
    outbox.add({ type: 'phase', phase: 'validating' });
    expect(posts).toHaveLength(1);
    clock.advance(39);
    expect(posts).toHaveLength(1);
    clock.advance(1);
    expect(posts).toHaveLength(2);
    expect(posts[1]).toEqual({
      at: 50,
      message: { type: 'progress', messages: [{ type: 'phase', phase: 'validating' }] },
    });
    expect(clock.pending).toBe(0);
  });

  test('a prompt message (validation begins) is posted at once, unless another prompt one was within 50 ms', () => {
    const clock = new FakeClock();
    const { posts, post } = recorder(clock);
    const outbox = new ProgressOutbox(post, 50, clock);
    const validating: ProgressMessage = { type: 'phase', phase: 'validating' };
    outbox.add(batch(0, 0, 2));
    clock.advance(5);
    outbox.add(batch(0, 1, 2));
    outbox.add(validating, { prompt: true });
    expect(posts.map((p) => p.message)).toEqual([
      { type: 'progress', messages: [batch(0, 0, 2)] },
      { type: 'progress', messages: [batch(0, 1, 2), validating] },
    ]);
    clock.advance(5);
    outbox.add(batch(1, 0, 2));
    outbox.add(batch(1, 1, 2));
    outbox.add(validating, { prompt: true });
    expect(posts).toHaveLength(2);
    // The timer posts it 50 ms after the last post (at 5 ms).
    clock.advance(44);
    expect(posts).toHaveLength(2);
    clock.advance(1);
    expect(posts).toHaveLength(3);
    expect(posts[2]).toEqual({
      at: 55,
      message: { type: 'progress', messages: [batch(1, 0, 2), batch(1, 1, 2), validating] },
    });
  });

  test('send posts what is queued first, then the message, and leaves no timer', () => {
    const clock = new FakeClock();
    const { posts, post } = recorder(clock);
    const outbox = new ProgressOutbox(post, 50, clock);
    outbox.add(batch(0, 0, 10));
    clock.advance(5);
    outbox.add(batch(0, 1, 10), { replaceable: true });
    outbox.add(batch(0, 2, 10), { replaceable: true });
    outbox.add(checkpoint(1));
    outbox.add(histograms(0));
    outbox.add(checkpoint(2));
    expect(clock.pending).toBe(1);
    outbox.send({ type: 'paused' });
    expect(posts.map((p) => p.message)).toEqual([
      { type: 'progress', messages: [batch(0, 0, 10)] },
      // The newer batch replaced the older; the newer checkpoint replaced the older, after the histograms.
      { type: 'progress', messages: [batch(0, 2, 10), histograms(0), checkpoint(2)] },
      { type: 'paused' },
    ]);
    expect(clock.pending).toBe(0);
  });

  test('an interval of 0 posts every message as it comes', () => {
    const clock = new FakeClock();
    const { posts, post } = recorder(clock);
    const outbox = new ProgressOutbox(post, 0, clock);
    for (let b = 0; b < 5; b++) outbox.add(batch(0, b, 5), { replaceable: b !== 0 && b !== 4 });
    expect(posts.map((p) => p.message)).toEqual(
      [0, 1, 2, 3, 4].map((b) => ({ type: 'progress', messages: [batch(0, b, 5)] })),
    );
  });
});
