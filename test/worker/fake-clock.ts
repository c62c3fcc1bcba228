/** A clock for the progress outbox that moves only when told (`advance`), or by `tick` at every reading. */
import type { OutboxClock } from '../../src/worker/progress-outbox';

export class FakeClock implements OutboxClock {
  private t = 0;
  private readonly timers: { due: number; callback: () => void; live: boolean }[] = [];

  /** @param tick milliseconds each reading of the clock moves it on (a machine that fast), 0 by default */
  constructor(private readonly tick = 0) {}

  now(): number {
    const t = this.t;
    this.t += this.tick;
    return t;
  }

  later(callback: () => void, ms: number): () => void {
    const timer = { due: this.t + ms, callback, live: true };
    this.timers.push(timer);
    return () => {
      timer.live = false;
    };
  }

  /** Timers set and not yet run or cancelled. */
  get pending(): number {
    return this.timers.filter((t) => t.live).length;
  }

  /** Moves the clock on by `ms`, running the timers that fall due, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.live && t.due <= end).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.t = Math.max(this.t, next.due);
      next.live = false;
      next.callback();
    }
    this.t = end;
  }
}
