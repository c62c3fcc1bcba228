/** Elementwise ops of two tensors (and `where` of three), with NumPy broadcasting. */
import { registerOps, runOp } from '../engine';
import type { OpDef, OpDefs } from '../op-def';
import type { OpName } from '../op-params';
import { broadcastAxes, broadcastShapes, type Shape, shapesEqual } from '../shape';
import type { Tensor } from '../tensor';
import { reshape } from './layout';
import { sum } from './reduce';
import { log, neg } from './unary';
import { type TensorLike, toTensor } from './util';

/** Sums a broadcast gradient back down to the shape of the input it came from. */
export function sumToShape(dy: Tensor, shape: Shape): Tensor {
  if (shapesEqual(dy.shape, shape)) return dy;
  return reshape(sum(dy, broadcastAxes(shape, dy.shape), true), shape);
}

function broadcasting<K extends OpName>(op: K, backward: OpDef<K>['backward']): OpDef<K> {
  return { arity: 2, shape: (inputs) => broadcastShapes(op, ...inputs), backward };
}

type Comparison = 'equal' | 'notEqual' | 'greater' | 'greaterEqual' | 'less' | 'lessEqual';
type Binary = 'add' | 'sub' | 'mul' | 'div' | 'pow' | Comparison;

// Comparisons give 0 or 1 and are flat: no gradient flows through them.
const comparison = <K extends Comparison>(op: K): OpDef<K> => broadcasting(op, () => [null, null]);

export const binaryOps: OpDefs<Binary | 'where'> = registerOps({
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
});

type BinaryFn = (a: TensorLike, b: TensorLike) => Tensor;

function binary(op: Binary): BinaryFn {
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
