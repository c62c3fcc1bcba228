/**
 * Losses built from engine ops, so their gradients come from autodiff. Each returns one loss per
 * sample (shape [batch]); the model weights and averages them over the batch (Keras's
 * sum-over-batch-size reduction). Losses on logits go through logSoftmax, which stays finite for
 * any logit.
 */
import { fmtShape, InvalidArgumentError, ShapeError } from '../errors';
import {
  abs,
  add,
  clip,
  concat,
  div,
  fill,
  log,
  logSoftmax,
  mean,
  mul,
  neg,
  oneHot,
  reshape,
  softmaxCrossEntropy,
  sub,
  sum,
} from '../graph/ops/index';
import { shapesEqual } from '../graph/shape';
import type { Tensor } from '../graph/tensor';

export type LossName =
  | 'categoricalCrossentropy'
  | 'sparseCategoricalCrossentropy'
  | 'binaryCrossentropy'
  | 'meanSquaredError'
  | 'meanAbsoluteError'
  | 'huber';

/** Keras's snake_case names and short forms, accepted as aliases. */
export type LossAlias =
  | 'categorical_crossentropy'
  | 'sparse_categorical_crossentropy'
  | 'binary_crossentropy'
  | 'mean_squared_error'
  | 'mse'
  | 'mean_absolute_error'
  | 'mae';

export interface LossConfig {
  name: LossName;
  /** Cross-entropies: yPred holds logits rather than probabilities (default false). */
  fromLogits?: boolean;
  /** Huber: where the loss turns from quadratic to linear (default 1). */
  delta?: number;
}

/** A loss by name (`'huber'`) or with its options (`{ name: 'binaryCrossentropy', fromLogits: true }`). */
export type LossSpec = LossName | LossAlias | LossConfig;

export interface Loss {
  readonly config: Readonly<LossConfig>;
  /** One loss per sample, shape [batch]. */
  perSample(yTrue: Tensor, yPred: Tensor): Tensor;
}

/** Probabilities are clipped this far from 0 and 1 before a log (Keras's epsilon). */
export const PROBABILITY_EPSILON = 1e-7;

/** Averages every axis but the batch axis. */
function perSampleMean(t: Tensor): Tensor {
  return t.rank === 1 ? t : mean(t, t.shape.map((_, i) => i).slice(1));
}

function sameShape(loss: string, yTrue: Tensor, yPred: Tensor): void {
  if (!shapesEqual(yTrue.shape, yPred.shape)) {
    throw new ShapeError(
      `${loss}: yTrue ${fmtShape(yTrue.shape)} and yPred ${fmtShape(yPred.shape)} must have the same shape`,
    );
  }
}

/**
 * -sum(yTrue * log p) over the class axis. From logits, or from probabilities that a softmax over
 * the class axis produced (a softmax output layer; Keras does the same), it is one fused kernel on
 * the logits, exact for any logit; other probabilities are renormalised and clipped.
 */
function crossentropy(yTrue: Tensor, yPred: Tensor, fromLogits: boolean): Tensor {
  const logits = fromLogits ? yPred : yPred.logits;
  if (logits) return perSampleMean(softmaxCrossEntropy(logits, yTrue));
  // As Keras does: renormalise rows that do not sum to one, then keep log finite.
  const p = div(yPred, sum(yPred, -1, true));
  const logP = log(clip(p, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON));
  return perSampleMean(neg(sum(mul(yTrue, logP), -1)));
}

function categoricalCrossentropy(yTrue: Tensor, yPred: Tensor, fromLogits: boolean): Tensor {
  sameShape('categoricalCrossentropy', yTrue, yPred);
  return crossentropy(yTrue, yPred, fromLogits);
}

/** Labels are class indices shaped like yPred without its class axis (a trailing 1 allowed). */
function sparseCategoricalCrossentropy(yTrue: Tensor, yPred: Tensor, fromLogits: boolean): Tensor {
  const labelShape = yPred.shape.slice(0, -1);
  const ok = shapesEqual(yTrue.shape, labelShape) || shapesEqual(yTrue.shape, [...labelShape, 1]);
  if (!ok) {
    throw new ShapeError(
      `sparseCategoricalCrossentropy: yTrue ${fmtShape(yTrue.shape)} must hold one class index per row ` +
        `of yPred ${fmtShape(yPred.shape)}: expected ${fmtShape(labelShape)}`,
    );
  }
  const classes = yPred.shape[yPred.rank - 1];
  const hot = reshape(oneHot(reshape(yTrue, [-1]), classes), yPred.shape);
  return crossentropy(hot, yPred, fromLogits);
}

/**
 * From logits z, log sigmoid(z) and log sigmoid(-z) are the two entries of logSoftmax([0, z]):
 * stable for any z and smooth at z = 0 (unlike the max(z,0) - z*y + log(1+e^-|z|) form, whose
 * kinks give a wrong subgradient exactly where untrained models start).
 */
function binaryCrossentropy(yTrue: Tensor, yPred: Tensor, fromLogits: boolean): Tensor {
  sameShape('binaryCrossentropy', yTrue, yPred);
  const column = [...yPred.shape, 1];
  if (fromLogits) {
    const z = reshape(yPred, column);
    const logs = logSoftmax(concat([fill(column, 0, z), z], -1), -1);
    const y = reshape(yTrue, column);
    const weights = concat([sub(1, y), y], -1);
    return perSampleMean(neg(sum(mul(weights, logs), -1)));
  }
  const p = clip(yPred, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON);
  const elementwise = neg(add(mul(yTrue, log(p)), mul(sub(1, yTrue), log(sub(1, p)))));
  return perSampleMean(elementwise);
}

function meanSquaredError(yTrue: Tensor, yPred: Tensor): Tensor {
  sameShape('meanSquaredError', yTrue, yPred);
  const e = sub(yPred, yTrue);
  return perSampleMean(mul(e, e));
}

function meanAbsoluteError(yTrue: Tensor, yPred: Tensor): Tensor {
  sameShape('meanAbsoluteError', yTrue, yPred);
  return perSampleMean(abs(sub(yPred, yTrue)));
}

/** 0.5 e^2 for |e| <= delta, delta (|e| - delta/2) beyond: written as 0.5 q^2 + delta (|e| - q), q = min(|e|, delta). */
function huber(yTrue: Tensor, yPred: Tensor, delta: number): Tensor {
  sameShape('huber', yTrue, yPred);
  const a = abs(sub(yPred, yTrue));
  const q = clip(a, 0, delta);
  return perSampleMean(add(mul(mul(q, q), 0.5), mul(sub(a, q), delta)));
}

const lossFunctions: {
  readonly [K in LossName]: (c: LossConfig) => (yTrue: Tensor, yPred: Tensor) => Tensor;
} = {
  categoricalCrossentropy: (c) => (t, p) => categoricalCrossentropy(t, p, c.fromLogits ?? false),
  sparseCategoricalCrossentropy: (c) => (t, p) => sparseCategoricalCrossentropy(t, p, c.fromLogits ?? false),
  binaryCrossentropy: (c) => (t, p) => binaryCrossentropy(t, p, c.fromLogits ?? false),
  meanSquaredError: () => meanSquaredError,
  meanAbsoluteError: () => meanAbsoluteError,
  huber: (c) => (t, p) => huber(t, p, c.delta ?? 1),
};

const aliases: Record<LossAlias, LossName> = {
  categorical_crossentropy: 'categoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  binary_crossentropy: 'binaryCrossentropy',
  mean_squared_error: 'meanSquaredError',
  mse: 'meanSquaredError',
  mean_absolute_error: 'meanAbsoluteError',
  mae: 'meanAbsoluteError',
};

export const lossNames = Object.keys(lossFunctions) as LossName[];

/** Resolves a loss spec, validating its name and options. */
export function getLoss(spec: LossSpec): Loss {
  const given = typeof spec === 'string' ? { name: spec } : spec;
  const name = (aliases[given?.name as LossAlias] ?? given?.name) as LossName;
  if (!Object.hasOwn(lossFunctions, name)) {
    throw new InvalidArgumentError(
      `compile(loss=${JSON.stringify(spec)}): unknown loss, expected one of ${lossNames.join(', ')}`,
    );
  }
  const config: LossConfig = { ...given, name };
  if (config.delta !== undefined && !(config.delta > 0)) {
    throw new InvalidArgumentError(`huber(delta=${config.delta}): delta must be positive`);
  }
  const f = lossFunctions[name](config);
  return { config: Object.freeze(config), perSample: f };
}
