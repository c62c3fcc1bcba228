/** Shapes and backwards of the elementwise ops (../elementwise.ts). */

import { runOp } from '../../engine';
import type { OpDef, OpDefs } from '../../op-def';
import type { BinaryOp, ComparisonOp, OpName } from '../../op-params';
import { broadcastShapes, type Shape } from '../../shape';
import {
  add,
  div,
  greater,
  greaterEqual,
  lessEqual,
  log,
  mul,
  neg,
  pow,
  sign,
  sub,
  where,
} from '../elementwise';
import { activationGrad } from '../fused';
import { sumToShape } from '../reduce';

const sameShape = (inputs: readonly Shape[]): Shape => inputs[0];

type Unary = 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'sign' | 'relu' | 'sigmoid' | 'tanh';

function unary<K extends Unary>(backward: OpDef<K>['backward']): OpDef<K> {
  return { arity: 1, shape: sameShape, backward };
}

function broadcasting<K extends OpName>(op: K, backward: OpDef<K>['backward']): OpDef<K> {
  return { arity: 2, shape: (inputs) => broadcastShapes(op, ...inputs), backward };
}

// Comparisons give 0 or 1 and are flat: no gradient flows through them.
const comparison = <K extends ComparisonOp>(op: K): OpDef<K> => broadcasting(op, () => [null, null]);

export const elementwiseOps: OpDefs<Unary | 'leakyRelu' | 'elu' | 'clip' | BinaryOp | 'where' | 'dropout'> = {
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
  add: broadcasting('add', ({ dy, inputs: [a, b] }) => [sumToShape(dy, a.shape), sumToShape(dy, b.shape)]),
  sub: broadcasting('sub', ({ dy, inputs: [a, b] }) => [
    sumToShape(dy, a.shape),
    sumToShape(neg(dy), b.shape),
  ]),
  mul: broadcasting('mul', ({ dy, inputs: [a, b], needs }) => [
    needs[0] ? sumToShape(mul(dy, b), a.shape) : null,
    needs[1] ? sumToShape(mul(dy, a), b.shape) : null,
  ]),
  div: broadcasting('div', ({ dy, inputs: [a, b], output: y, needs }) => [
    needs[0] ? sumToShape(div(dy, b), a.shape) : null,
    // d(a/b)/db = -a/b^2 = -y/b
    needs[1] ? sumToShape(neg(div(mul(dy, y), b)), b.shape) : null,
  ]),
  pow: broadcasting('pow', ({ dy, inputs: [a, b], output: y, needs }) => [
    needs[0] ? sumToShape(mul(dy, mul(b, pow(a, sub(b, 1)))), a.shape) : null,
    // Only asked for when the exponent is itself differentiated; log(a) needs a > 0 there.
    needs[1] ? sumToShape(mul(dy, mul(y, log(a))), b.shape) : null,
  ]),
  equal: comparison('equal'),
  notEqual: comparison('notEqual'),
  greater: comparison('greater'),
  greaterEqual: comparison('greaterEqual'),
  less: comparison('less'),
  lessEqual: comparison('lessEqual'),
  where: {
    arity: 3,
    shape: (inputs) => broadcastShapes('where', ...inputs),
    backward: ({ dy, inputs: [cond, a, b], needs }) => [
      null,
      needs[1] ? sumToShape(where(cond, dy, 0), a.shape) : null,
      needs[2] ? sumToShape(where(cond, 0, dy), b.shape) : null,
    ],
  },
  // y = x * mask / (1 - rate) with a mask that is a pure function of (seed, step, index), so the
  // backward applies the very same mask to dy: no mask is stored.
  dropout: {
    arity: 1,
    shape: ([x]) => x,
    backward: ({ dy, params }) => [runOp('dropout', [dy], params)],
  },
};
