/**
 * Learning-rate schedules: the rate as a pure function of the optimizer's step count (0 for the
 * first update), so a resumed run continues the same curve from its saved step.
 */
import { InvalidArgumentError } from '../../errors';

export type ScheduleConfig =
  /** initialLearningRate * gamma^floor(step / stepSize). */
  | { type: 'step'; initialLearningRate: number; stepSize: number; gamma: number }
  /** initialLearningRate * decayRate^(step / decaySteps), the exponent floored when staircase. */
  | {
      type: 'exponential';
      initialLearningRate: number;
      decaySteps: number;
      decayRate: number;
      staircase?: boolean;
    }
  /** Cosine from initialLearningRate down to alpha * initialLearningRate over decaySteps, then flat. */
  | { type: 'cosine'; initialLearningRate: number; decaySteps: number; alpha?: number };

export class LearningRateSchedule {
  readonly config: Readonly<ScheduleConfig>;

  constructor(config: ScheduleConfig) {
    const c = config as Record<string, unknown>;
    const positive = (key: string) => {
      if (typeof c[key] !== 'number' || !((c[key] as number) > 0)) {
        throw new InvalidArgumentError(
          `LearningRateSchedule(${config.type}): ${key} must be a positive number, received ${String(c[key])}`,
        );
      }
    };
    positive('initialLearningRate');
    if (config.type === 'step') ['stepSize', 'gamma'].forEach(positive);
    else if (config.type === 'exponential') ['decaySteps', 'decayRate'].forEach(positive);
    else if (config.type === 'cosine') {
      positive('decaySteps');
      const alpha = config.alpha ?? 0;
      if (!(alpha >= 0 && alpha <= 1)) {
        throw new InvalidArgumentError(
          `LearningRateSchedule(cosine): alpha must be in [0, 1], received ${alpha}`,
        );
      }
    } else {
      throw new InvalidArgumentError(
        `LearningRateSchedule: unknown type '${String(c.type)}', expected 'step', 'exponential' or 'cosine'`,
      );
    }
    this.config = Object.freeze({ ...config });
  }

  /** The learning rate for update number `step` (counting from 0). */
  at(step: number): number {
    const c = this.config;
    switch (c.type) {
      case 'step':
        return c.initialLearningRate * c.gamma ** Math.floor(step / c.stepSize);
      case 'exponential': {
        const p = step / c.decaySteps;
        return c.initialLearningRate * c.decayRate ** (c.staircase ? Math.floor(p) : p);
      }
      case 'cosine': {
        const alpha = c.alpha ?? 0;
        const progress = Math.min(step, c.decaySteps) / c.decaySteps;
        const cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        return c.initialLearningRate * ((1 - alpha) * cosine + alpha);
      }
    }
  }
}

export type LearningRate = number | LearningRateSchedule;

export function learningRateAt(rate: LearningRate, step: number): number {
  return typeof rate === 'number' ? rate : rate.at(step);
}
