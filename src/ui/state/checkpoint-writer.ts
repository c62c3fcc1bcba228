/**
 * Writes a run's newest checkpoint to IndexedDB, at most one write a second and one at a time. A
 * small model on the CPU ends an epoch every few milliseconds, and each checkpoint carries the
 * run's weight histograms so far: a write per epoch (a structured clone of megabytes on the page's
 * thread, and a queue of them in the browser) left the page unable to take a click. A reload
 * resumes from the newest checkpoint written, at most about a second behind; `flush` writes the
 * pending one at once (when the run pauses or fails, before a reload or a retry), `cancel` drops
 * it (the run finished: its checkpoints are cleared).
 */
import type { OutboxClock } from '../../worker/progress-outbox';
import { realClock } from '../../worker/progress-outbox';

/** The least time between two checkpoint writes. */
export const CHECKPOINT_WRITE_MS = 1000;

export class CheckpointWriter {
  /** Builds the record to write (late, so it has the newest histograms and superseded ones cost nothing). */
  private pending: (() => Promise<void>) | null = null;
  private writing = false;
  private lastWrite = Number.NEGATIVE_INFINITY;
  private cancelTimer: (() => void) | null = null;

  constructor(
    private readonly onError: (e: unknown) => void,
    private readonly intervalMs = CHECKPOINT_WRITE_MS,
    private readonly clock: OutboxClock = realClock,
  ) {}

  /** A newer checkpoint: `write` stores it, and replaces any not yet written. */
  offer(write: () => Promise<void>): void {
    this.pending = write;
    this.schedule();
  }

  /** Writes the pending checkpoint now (after the one in flight, if any). */
  flush(): void {
    this.lastWrite = Number.NEGATIVE_INFINITY;
    this.schedule();
  }

  /** Drops the pending checkpoint. */
  cancel(): void {
    this.pending = null;
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  private schedule(): void {
    if (!this.pending || this.writing) return;
    const wait = this.lastWrite + this.intervalMs - this.clock.now();
    this.cancelTimer?.();
    this.cancelTimer = null;
    if (wait > 0) {
      this.cancelTimer = this.clock.later(() => {
        this.cancelTimer = null;
        this.schedule();
      }, wait);
      return;
    }
    const write = this.pending;
    this.pending = null;
    this.writing = true;
    this.lastWrite = this.clock.now();
    write()
      .catch(this.onError)
      .finally(() => {
        this.writing = false;
        this.schedule();
      });
  }
}
