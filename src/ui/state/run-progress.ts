/**
 * Where a training run is, as the page tells it: the epoch and batch, the phase (preparing the
 * model, training, validating after an epoch, evaluating the test split), the speed and the ETA
 * (both measured in the Worker, at every batch: the page hears of a batch only every ~50 ms), and
 * at the end how it ended (all epochs, stopped by the user, or stopped early). Plain data, no DOM;
 * `progressLine` is the sentence the train panel shows.
 */
import type { FromWorker, RunPhase } from '../../worker/protocol';
import { formatCount } from './format';

export type ProgressPhase = 'preparing' | 'training' | RunPhase;

/** How a run ended: every epoch done, the user's Stop, or early stopping (with the epoch restored). */
export type RunOutcome =
  | { kind: 'finished'; epochs: number }
  | { kind: 'stopped'; epochs: number }
  | { kind: 'stopped-early'; epochs: number; bestEpoch: number };

type Batch = Extract<FromWorker, { type: 'batch' }>;

export class RunProgress {
  epochs = 0;
  /** The epoch in progress (0-based). */
  epoch = 0;
  batch = 0;
  steps = 0;
  samplesPerSecond = 0;
  /** Seconds left in training (not counting the test-split evaluation), or null before it is known. */
  etaSeconds: number | null = null;
  phase: ProgressPhase | null = null;
  outcome: RunOutcome | null = null;
  private stopRequested = false;

  /** A run starts (or resumes at `initialEpoch`): nothing is measured yet. */
  begin(epochs: number, initialEpoch: number): void {
    Object.assign(this, { epochs, epoch: initialEpoch, batch: 0, steps: 0, samplesPerSecond: 0 });
    this.etaSeconds = null;
    this.phase = 'preparing';
    this.outcome = null;
    this.stopRequested = false;
  }

  started(steps: number, initialEpoch: number): void {
    Object.assign(this, { steps, epoch: initialEpoch });
  }

  onBatch(m: Batch): void {
    Object.assign(this, { epoch: m.epoch, batch: m.batch, samplesPerSecond: m.samplesPerSecond });
    this.etaSeconds = m.etaSeconds;
    this.phase = 'training';
  }

  onPhase(phase: RunPhase): void {
    this.phase = phase;
  }

  stopping(): void {
    this.stopRequested = true;
  }

  /**
   * The run ended after `epochsDone` epochs (History's length, restored epochs included);
   * `bestEpoch` is set when early stopping ended it.
   */
  ended(epochsDone: number, bestEpoch: number | null): void {
    this.phase = null;
    this.outcome = this.stopRequested
      ? { kind: 'stopped', epochs: epochsDone }
      : bestEpoch !== null
        ? { kind: 'stopped-early', epochs: epochsDone, bestEpoch }
        : epochsDone < this.epochs
          ? { kind: 'stopped', epochs: epochsDone }
          : { kind: 'finished', epochs: epochsDone };
  }

  /** The share of all batches done, in [0, 1]. */
  get fraction(): number {
    if (this.outcome?.kind === 'finished') return 1;
    const total = this.epochs * this.steps;
    return total > 0 ? Math.min(1, (this.epoch * this.steps + this.batch + 1) / total) : 0;
  }
}

function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '…';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
}

/** The train panel's progress sentence: what the run is doing now, or how it ended. */
export function progressLine(p: RunProgress, paused: boolean): string {
  const of = `of ${formatCount(p.epochs)}`;
  const o = p.outcome;
  if (o?.kind === 'finished') return `Finished: ${formatCount(o.epochs)} epochs`;
  if (o?.kind === 'stopped') return `Stopped at epoch ${formatCount(o.epochs)} ${of}`;
  if (o?.kind === 'stopped-early') {
    const best = formatCount(o.bestEpoch + 1);
    return `Stopped early at epoch ${formatCount(o.epochs)} ${of}: the loss stopped improving; kept the weights of epoch ${best}`;
  }
  const where = `Epoch ${formatCount(Math.min(p.epoch + 1, p.epochs))} ${of}`;
  if (p.phase === 'preparing') return `${where}: preparing the model…`;
  if (p.phase === 'evaluating') return 'Evaluating on the test split…';
  const batch = `batch ${formatCount(p.batch + 1)} of ${formatCount(p.steps)}`;
  const speed = `${formatCount(Math.round(p.samplesPerSecond))} samples/s`;
  if (paused) return `${where}, ${batch} · paused`;
  const doing = p.phase === 'validating' ? 'validating…' : `about ${duration(p.etaSeconds)} left`;
  return `${where}, ${batch} · ${speed} · ${doing}`;
}
