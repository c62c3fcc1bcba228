/**
 * What the callbacks that watch a logged value share (EarlyStopping, ReduceLROnPlateau and
 * src/io's ModelCheckpoint): the `monitor`/`mode`/`warn` options, which direction is better,
 * whether a value improves on a reference by more than minDelta, and the option checks.
 */
import { InvalidArgumentError } from '../../errors';
import type { Logs } from '../model/callback';

export type MonitorMode = 'auto' | 'min' | 'max';

/**
 * 'auto' maximises accuracy-like names (accuracy, binaryAccuracy, auc, precision, recall, f1, r2,
 * with or without `val_`) and minimises everything else (loss, mse, mae, custom losses).
 */
export function resolveMode(owner: string, monitor: string, mode: MonitorMode): 'min' | 'max' {
  if (mode === 'min' || mode === 'max') return mode;
  if (mode !== 'auto') {
    throw new InvalidArgumentError(`${owner}(mode=${String(mode)}): mode must be 'auto', 'min' or 'max'`);
  }
  const base = monitor.replace(/^val_/, '');
  if (/loss|error/i.test(base)) return 'min';
  return /acc|auc|precision|recall|f1|r2/i.test(base) ? 'max' : 'min';
}

export function nonNegativeInteger(owner: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0) {
    throw new InvalidArgumentError(`${owner}(${name}=${v}): ${name} must be a non-negative integer`);
  }
  return v;
}

export function nonNegativeNumber(owner: string, name: string, v: number): number {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
    throw new InvalidArgumentError(`${owner}(${name}=${v}): ${name} must be a finite number >= 0`);
  }
  return v;
}

/** The options every monitoring callback takes, with Keras's names. */
export interface MonitorOptions {
  /** The log name to watch. Default 'val_loss'. */
  monitor?: string;
  /** Default 'auto': 'max' for accuracy-like names, 'min' otherwise (see resolveMode). */
  mode?: MonitorMode;
  /** Where warnings (monitor missing from the logs) go. Default console.warn. */
  warn?: (message: string) => void;
}

/**
 * A watched log value: its name, the direction that counts as better, and the epoch's value, or
 * undefined with a warning (once per run) when the logs lack it: a typo or a missing validation
 * set should be visible, not a callback that never acts.
 */
export class Monitor {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  private readonly warn: (message: string) => void;
  private warned = false;

  constructor(
    private readonly owner: string,
    options: MonitorOptions,
  ) {
    this.monitor = options.monitor ?? 'val_loss';
    this.mode = resolveMode(owner, this.monitor, options.mode ?? 'auto');
    this.warn = options.warn ?? console.warn;
  }

  /** Call at train begin, so each run warns again. */
  reset(): void {
    this.warned = false;
  }

  read(logs: Logs): number | undefined {
    const value = logs[this.monitor];
    if (value === undefined && !this.warned) {
      this.warned = true;
      this.warn(
        `${this.owner}: '${this.monitor}' is not in the epoch logs (available: ${Object.keys(logs).join(', ') || 'none'}); it does nothing this epoch`,
      );
    }
    return value;
  }

  /** True when `value` beats `reference` by more than minDelta in this monitor's direction. */
  improves(value: number, reference: number | undefined, minDelta = 0): boolean {
    if (!Number.isFinite(value)) return false;
    if (reference === undefined) return true;
    return this.mode === 'min' ? value < reference - minDelta : value > reference + minDelta;
  }
}
