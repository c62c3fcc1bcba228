/**
 * Elementwise ops: of one tensor (the output has its shape), of two with NumPy broadcasting (and
 * `where` of three), and dropout. Their shapes and backwards are in defs/elementwise.ts.
 */
import { InvalidArgumentError } from '../../errors';
import { runOp } from '../engine';
import type { BinaryOp } from '../op-params';
import { dropoutThreshold } from '../random';
import type { Tensor } from '../tensor';
import { type TensorLike, toTensor } from './util';

export const neg = (x: Tensor): Tensor => runOp('neg', [x], {});
export const exp = (x: Tensor): Tensor => runOp('exp', [x], {});
export const log = (x: Tensor): Tensor => runOp('log', [x], {});
export const sqrt = (x: Tensor): Tensor => runOp('sqrt', [x], {});
export const abs = (x: Tensor): Tensor => runOp('abs', [x], {});
/** -1, 0 or 1 per element. */
export const sign = (x: Tensor): Tensor => runOp('sign', [x], {});
export const relu = (x: Tensor): Tensor => runOp('relu', [x], {});
export const sigmoid = (x: Tensor): Tensor => runOp('sigmoid', [x], {});
export const tanh = (x: Tensor): Tensor => runOp('tanh', [x], {});

export function leakyRelu(x: Tensor, alpha = 0.2): Tensor {
  assertFinite('leakyRelu', 'alpha', alpha);
  return runOp('leakyRelu', [x], { alpha });
}

export function elu(x: Tensor, alpha = 1): Tensor {
  assertFinite('elu', 'alpha', alpha);
  return runOp('elu', [x], { alpha });
}

/** Limits every element to [min, max]; the gradient passes where min <= x <= max. */
export function clip(x: Tensor, min: number, max: number): Tensor {
  if (Number.isNaN(min) || Number.isNaN(max) || min > max) {
    throw new InvalidArgumentError(`clip: min ${min} must not exceed max ${max}`);
  }
  return runOp('clip', [x], { min, max });
}

function assertFinite(op: string, name: string, value: number): void {
  if (!Number.isFinite(value)) {
    throw new InvalidArgumentError(`${op}: ${name} must be a finite number, received ${value}`);
  }
}

type BinaryFn = (a: TensorLike, b: TensorLike) => Tensor;

function binary(op: BinaryOp): BinaryFn {
  return (a, b) => {
    const ta = toTensor(a, typeof b === 'number' ? undefined : b);
    return runOp(op, [ta, toTensor(b, ta)], {} as never);
  };
}

export const add = binary('add');
export const sub = binary('sub');
export const mul = binary('mul');
export const div = binary('div');
/** a to the power b, elementwise. */
export const pow = binary('pow');
/** 1 where a == b, else 0 (likewise for the other comparisons). */
export const equal = binary('equal');
export const notEqual = binary('notEqual');
export const greater = binary('greater');
export const greaterEqual = binary('greaterEqual');
export const less = binary('less');
export const lessEqual = binary('lessEqual');

/** Picks a where cond is non-zero, else b; all three broadcast together. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  return runOp('where', [cond, toTensor(a, cond), toTensor(b, cond)], {});
}

export const square = (x: Tensor): Tensor => mul(x, x);

export interface DropoutOptions {
  /** The run's seed; the mask is a pure function of (seed, step, element index). */
  seed: number;
  /** The training step, so each step draws a fresh mask. */
  step: number;
}

/**
 * Inverted dropout: zeroes each element with probability `rate` and scales the rest by
 * 1 / (1 - rate), so the expectation is unchanged and inference needs no rescaling.
 */
export function dropout(x: Tensor, rate: number, { seed, step }: DropoutOptions): Tensor {
  if (!(rate >= 0 && rate < 1)) {
    throw new InvalidArgumentError(`dropout: rate must be in [0, 1), received ${rate}`);
  }
  if (!Number.isInteger(seed) || !Number.isInteger(step)) {
    throw new InvalidArgumentError(`dropout: seed and step must be integers, received ${seed} and ${step}`);
  }
  if (dropoutThreshold(rate) === 0) return x;
  return runOp('dropout', [x], { rate, seed, step });
}
