/**
 * The fit callback that tells the page how a run goes: every batch and epoch through the progress
 * outbox (which coalesces them), with the speed and the ETA measured here, on the Worker's clock,
 * at every batch; and it holds training between batches while the run is paused.
 */
import { getBackendInfo } from '../backend/index';
import { Callback, type Logs, type RecoveredInfo } from '../nn/model/callback';
import { EtaEstimator } from './eta';
import { type OutboxClock, PROGRESS_INTERVAL_MS, type ProgressOutbox } from './progress-outbox';

/** The run's shape, as the reporter needs it. */
export interface ReportedRun {
  samples: number;
  batchSize: number;
  /** Batches per epoch. */
  steps: number;
  /** The epoch the run ends at (fit's `epochs`, counted from 0 even when resumed). */
  epochs: number;
  validates: boolean;
}

export interface ReporterHost {
  outbox: ProgressOutbox;
  clock: OutboxClock;
  /** Resolves at once, or once a pause asked for is over; true when training was held. */
  waitWhilePaused(): Promise<boolean>;
  /** Posts 'started' (fit has picked the backend by train begin). */
  started(): void;
}

/**
 * The shortest validation the page is told of at once (the previous epoch's is the guide). One
 * shorter would show for a moment only, and on a fast run 'validating…' would hide the ETA.
 */
const PROMPT_VALIDATION_MS = PROGRESS_INTERVAL_MS / 2;

export class ProgressReporter extends Callback {
  private epochStart = 0;
  private seen = 0;
  private epoch = 0;
  private readonly eta = new EtaEstimator();
  /** When the epoch's last batch ended, and how long the last epoch's end (validation) took. */
  private validationStart = 0;
  private lastValidationMs = Number.POSITIVE_INFINITY;

  constructor(
    private readonly host: ReporterHost,
    private readonly run: ReportedRun,
  ) {
    super();
    this.eta.reset(run.epochs, run.steps);
  }

  override onTrainBegin(): void {
    this.host.started();
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.epochStart = this.host.clock.now();
    this.seen = 0;
  }

  override async onBatchEnd(batch: number, logs: Logs): Promise<void> {
    const { samples, batchSize, steps, validates } = this.run;
    this.seen += Math.min(batchSize, samples - batch * batchSize);
    const now = this.host.clock.now();
    this.eta.batch(this.epoch, batch, now / 1000);
    const seconds = (now - this.epochStart) / 1000;
    const last = batch === steps - 1;
    this.host.outbox.add(
      {
        type: 'batch',
        epoch: this.epoch,
        batch,
        steps,
        logs: { ...logs },
        samplesPerSecond: seconds > 0 ? this.seen / seconds : 0,
        etaSeconds: this.eta.secondsLeft(),
      },
      // An epoch's first and last batch always reach the page; of those between, the newest.
      { replaceable: batch !== 0 && !last },
    );
    if (last && validates) {
      this.validationStart = now;
      // Prompt: the page says 'validating…' while it lasts, not only when the next post is due.
      const prompt = this.lastValidationMs >= PROMPT_VALIDATION_MS;
      this.host.outbox.add({ type: 'phase', phase: 'validating' }, { prompt });
    }
    // The time held is not the run's speed.
    if (await this.host.waitWhilePaused()) this.eta.interrupt();
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    if (this.run.validates) this.lastValidationMs = this.host.clock.now() - this.validationStart;
    this.host.outbox.add({ type: 'epoch', epoch, logs: { ...logs } });
  }

  override onRecovered(info: RecoveredInfo): void {
    this.host.outbox.send({ type: 'recovered', info: { ...info }, backend: getBackendInfo() });
  }
}
