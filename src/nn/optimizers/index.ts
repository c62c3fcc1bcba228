/** The optimizers by class name, and resolution of compile's `optimizer` argument. */
import { InvalidArgumentError } from '../../errors';
import { Adam, AdamW } from './adam';
import type { Optimizer, SerializedOptimizer } from './optimizer';
import { RMSprop } from './rmsprop';
import { SGD } from './sgd';

export const optimizerClasses = { SGD, Adam, AdamW, RMSprop } as const;

const byLowerName: Record<string, keyof typeof optimizerClasses> = {
  sgd: 'SGD',
  adam: 'Adam',
  adamw: 'AdamW',
  rmsprop: 'RMSprop',
};

/** An optimizer instance, or a name (`'adam'`) for one with default settings. */
export type OptimizerSpec = Optimizer | 'sgd' | 'adam' | 'adamw' | 'rmsprop';

export function getOptimizer(spec: OptimizerSpec): Optimizer {
  if (typeof spec === 'object' && spec !== null && 'applyGradients' in spec) return spec;
  return optimizerFromConfig({ className: String(spec), config: {} });
}

/** Rebuilds an optimizer from `serialize()`; unknown class names are refused. */
export function optimizerFromConfig(serialized: SerializedOptimizer): Optimizer {
  const name = byLowerName[String(serialized?.className).toLowerCase()];
  if (!name) {
    throw new InvalidArgumentError(
      `optimizer: unknown optimizer '${String(serialized?.className)}', expected one of ${Object.keys(optimizerClasses).join(', ')}`,
    );
  }
  const OptimizerClass = optimizerClasses[name] as unknown as new (config: unknown) => Optimizer;
  return new OptimizerClass({ ...serialized.config });
}

export { Adam, type AdamConfig, AdamW, type AdamWConfig } from './adam';
export {
  Optimizer,
  type OptimizerConfig,
  type OptimizerState,
  type SerializedOptimizer,
  type Trainable,
} from './optimizer';
export { RMSprop, type RMSpropConfig } from './rmsprop';
export { LearningRateSchedule, type ScheduleConfig } from './schedules';
export { SGD, type SGDConfig } from './sgd';
