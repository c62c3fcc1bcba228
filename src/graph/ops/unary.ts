/** Elementwise ops of one tensor: the output has the input's shape. */
import { InvalidArgumentError } from '../../errors';
import { registerOps, runOp } from '../engine';
import type { OpDef, OpDefs } from '../op-def';
import type { Shape } from '../shape';
import type { Tensor } from '../tensor';
import { add, div, greater, greaterEqual, lessEqual, mul, where } from './binary';
import { activationGrad } from './fused';

const sameShape = (inputs: readonly Shape[]): Shape => inputs[0];

function unary<K extends 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'sign' | 'relu' | 'sigmoid' | 'tanh'>(
  backward: OpDef<K>['backward'],
): OpDef<K> {
  return { arity: 1, shape: sameShape, backward };
}

export const unaryOps: OpDefs<
  'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'sign' | 'relu' | 'sigmoid' | 'tanh' | 'leakyRelu' | 'elu' | 'clip'
> = registerOps({
  neg: unary(({ dy }) => [neg(dy)]),
  exp: unary(({ dy, output }) => [mul(dy, output)]),
  log: unary(({ dy, inputs: [x] }) => [div(dy, x)]),
  sqrt: unary(({ dy, output }) => [div(dy, mul(output, 2))]),
  abs: unary(({ dy, inputs: [x] }) => [mul(dy, sign(x))]),
  // sign is flat almost everywhere: its gradient is zero.
  sign: unary(() => [null]),
  // One fused kernel each, from the output: relu dy (y > 0), sigmoid dy y (1 - y), tanh dy (1 - y^2).
  relu: unary(({ dy, output: y }) => [activationGrad(dy, y, 'relu')]),
  sigmoid: unary(({ dy, output: y }) => [activationGrad(dy, y, 'sigmoid')]),
  tanh: unary(({ dy, output: y }) => [activationGrad(dy, y, 'tanh')]),
  leakyRelu: {
    arity: 1,
    shape: sameShape,
    backward: ({ dy, inputs: [x], params }) => [mul(dy, where(greater(x, 0), 1, params.alpha))],
  },
  elu: {
    arity: 1,
    shape: sameShape,
    // y = x for x > 0, alpha (e^x - 1) otherwise, so dy/dx = 1 or y + alpha.
    backward: ({ dy, inputs: [x], output: y, params }) => [
      where(greater(x, 0), dy, mul(dy, add(y, params.alpha))),
    ],
  },
  clip: {
    arity: 1,
    shape: sameShape,
    backward: ({ dy, inputs: [x], params }) => [
      mul(dy, mul(greaterEqual(x, params.min), lessEqual(x, params.max))),
    ],
  },
});

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

export const square = (x: Tensor): Tensor => mul(x, x);

function assertFinite(op: string, name: string, value: number): void {
  if (!Number.isFinite(value)) {
    throw new InvalidArgumentError(`${op}: ${name} must be a finite number, received ${value}`);
  }
}
