/**
 * The Worker's side of progress reporting: what a run reports every batch or every epoch goes out
 * at most once per `intervalMs` (50 ms by default), as one 'progress' message holding it all in
 * order. A small model on the CPU runs a batch every ~0.1 ms and can end an epoch every
 * millisecond; a message for each flooded the page's thread, which then missed the user's Stop
 * and re-drew its charts for every one.
 *
 * What is kept: every epoch, weight-histogram snapshot and phase change, each epoch's first and
 * last batch, and of the batches in between only the newest (its logs are the epoch's running
 * loss and metrics, and it carries the Worker's own speed and ETA, so nothing is lost by dropping
 * the older ones). A checkpoint replaces any older one not yet posted: the page keeps only the
 * latest. Messages that change the run's state (started, paused, done, an error...) are posted at
 * once, after whatever is queued, so the page sees them in order.
 *
 * The queue is posted as soon as something is added `intervalMs` after the last post, and else by
 * a timer at that time, so a trailing message is not held until the next one. A 'prompt' message
 * (a phase change: validation begins) is posted at once unless another prompt one was within the
 * interval, so the page can show that phase while it lasts; at most two posts an interval, then.
 */
import type { FromWorker, ProgressMessage } from './protocol';

export type Post = (message: FromWorker) => void;

/** Time for the outbox: real in the Worker, fake in tests. */
export interface OutboxClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Calls `callback` after `ms` milliseconds; returns what cancels it. */
  later(callback: () => void, ms: number): () => void;
}

export const realClock: OutboxClock = {
  now: () => performance.now(),
  later: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

/** The least time between two 'progress' messages by default: 20 a second, smooth curves, an idle page. */
export const PROGRESS_INTERVAL_MS = 50;

export class ProgressOutbox {
  private queue: ProgressMessage[] = [];
  /** Whether the queue's last message may be replaced by a newer one of its kind (a mid-epoch batch). */
  private tailReplaceable = false;
  private lastPost = Number.NEGATIVE_INFINITY;
  private lastPromptPost = Number.NEGATIVE_INFINITY;
  private cancelTimer: (() => void) | null = null;

  /**
   * @param intervalMs the least time between two posts; 0 posts every message as it comes (as a
   *   'progress' message of one), which tests use to see each one at the moment it is made.
   */
  constructor(
    private readonly post: Post,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
    private readonly clock: OutboxClock = realClock,
  ) {}

  /**
   * Queues a progress message. `replaceable`: the next message of its type, if it comes right
   * after, takes its place (a batch between an epoch's first and last). `prompt`: posted at once
   * unless another prompt message was posted within the interval.
   */
  add(message: ProgressMessage, { replaceable = false, prompt = false } = {}): void {
    const tail = this.queue.at(-1);
    if (this.tailReplaceable && tail?.type === message.type) this.queue[this.queue.length - 1] = message;
    else {
      if (message.type === 'checkpoint') this.queue = this.queue.filter((m) => m.type !== 'checkpoint');
      this.queue.push(message);
    }
    this.tailReplaceable = replaceable;
    const now = this.clock.now();
    const due = this.lastPost + this.intervalMs;
    if (prompt && now >= this.lastPromptPost + this.intervalMs) {
      this.lastPromptPost = now;
      this.flush();
    } else if (now >= due) this.flush();
    else this.cancelTimer ??= this.clock.later(() => this.flush(), due - now);
  }

  /** Posts what is queued, then `message` (a change of the run's state: the page must see it now). */
  send(message: FromWorker): void {
    this.flush();
    this.post(message);
  }

  /** Posts what is queued, if anything. */
  flush(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    if (this.queue.length === 0) return;
    const messages = this.queue;
    this.queue = [];
    this.tailReplaceable = false;
    this.lastPost = this.clock.now();
    this.post({ type: 'progress', messages });
  }
}
