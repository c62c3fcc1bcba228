/** Gradient checks of the unary, binary, comparison and where ops, with broadcasting. */
import { describe, expect, it } from 'vitest';
import {
  abs,
  add,
  clip,
  div,
  elu,
  equal,
  exp,
  greater,
  greaterEqual,
  leakyRelu,
  less,
  lessEqual,
  log,
  mul,
  neg,
  notEqual,
  pow,
  relu,
  sigmoid,
  sign,
  sqrt,
  sub,
  tanh,
  where,
} from '../../../src/graph/ops';
import type { Shape } from '../../../src/graph/shape';
import type { Tensor } from '../../../src/graph/tensor';
import { checkGradients, constant, Draw, type Input, nextSeed } from '../gradcheck';

type Unary = (x: Tensor) => Tensor;

// Each unary op with inputs drawn from its smooth domain.
const unaryCases: [string, Unary, (d: Draw, s: Shape) => Input][] = [
  ['neg', neg, (d, s) => d.uniform(s)],
  ['exp', exp, (d, s) => d.uniform(s, -2, 2)],
  ['log', log, (d, s) => d.uniform(s, 0.3, 3)],
  ['sqrt', sqrt, (d, s) => d.uniform(s, 0.3, 3)],
  ['abs', abs, (d, s) => d.awayFromZero(s)],
  ['sign', sign, (d, s) => d.awayFromZero(s)],
  ['relu', relu, (d, s) => d.awayFromZero(s)],
  ['sigmoid', sigmoid, (d, s) => d.uniform(s, -4, 4)],
  ['tanh', tanh, (d, s) => d.uniform(s, -2, 2)],
  ['leakyRelu', (x) => leakyRelu(x, 0.3), (d, s) => d.awayFromZero(s)],
  ['elu', (x) => elu(x, 0.7), (d, s) => d.awayFromZero(s)],
  // distinct() puts values in [k/10, k/10 + 0.04]: both edges stay at least 0.02 from every value,
  // and with 12 values in [-0.6, 0.54] some fall below, inside and above [-0.52, 0.37].
  ['clip', (x) => clip(x, -0.52, 0.37), (d, s) => d.distinct(s)],
];

type Binary = (a: Tensor, b: Tensor) => Tensor;

const binaryCases: [string, Binary, (d: Draw, s: Shape) => Input, (d: Draw, s: Shape) => Input][] = [
  ['add', add, (d, s) => d.uniform(s), (d, s) => d.uniform(s)],
  ['sub', sub, (d, s) => d.uniform(s), (d, s) => d.uniform(s)],
  ['mul', mul, (d, s) => d.uniform(s), (d, s) => d.uniform(s)],
  ['div', div, (d, s) => d.uniform(s), (d, s) => d.awayFromZero(s)],
  // A positive base, so the exponent's gradient a^b log(a) is defined.
  ['pow', pow, (d, s) => d.uniform(s, 0.5, 2), (d, s) => d.uniform(s, -2, 2)],
];

// [3,1] x [1,4] broadcasts both ways; [2,3,4] x [4] adds leading axes; scalars on either side.
const broadcastPairs: [Shape, Shape][] = [
  [
    [2, 3],
    [2, 3],
  ],
  [
    [3, 1],
    [1, 4],
  ],
  [[2, 3, 4], [4]],
  [[4], [2, 3, 4]],
  [[2, 3], []],
  [[], [2, 3]],
  [
    [2, 1, 3],
    [2, 1],
  ],
];

/**
 * Comparisons are flat: their gradient is zero, and finite differences agree as long as no a is
 * within eps of a b. a sits near integer + 0.25 and b near integer + 0.75, so they never meet.
 */
const comparisons: [string, Binary][] = [
  ['equal', equal],
  ['notEqual', notEqual],
  ['greater', greater],
  ['greaterEqual', greaterEqual],
  ['less', less],
  ['lessEqual', lessEqual],
];

function offGrid(d: Draw, shape: Shape, offset: number): Input {
  const x = d.indices(shape, 3);
  return { shape, values: x.values.map((v) => v + offset + 0.1 * (d.rng.uniform() - 0.5)) };
}

export function elementwiseGradientCases(): void {
  describe('unary ops', () => {
    it.each(unaryCases)('%s', (_name, f, draw) => {
      const d = new Draw(nextSeed());
      checkGradients(f, [draw(d, [3, 4])], { seed: d.seed });
    });
  });

  describe('binary ops with broadcasting', () => {
    for (const [name, f, drawA, drawB] of binaryCases) {
      it.each(broadcastPairs)(`${name} %j x %j`, (sa, sb) => {
        const d = new Draw(nextSeed());
        checkGradients(f, [drawA(d, sa), drawB(d, sb)], { seed: d.seed });
      });
    }

    it('pow with a constant integer exponent and negative bases: d/dx x^3 = 3x^2', () => {
      const d = new Draw(nextSeed());
      checkGradients((x) => pow(x, 3), [d.uniform([2, 3], -2, 2)], { seed: d.seed });
    });
  });

  describe('comparisons have zero gradient', () => {
    it.each(comparisons)('%s', (_name, f) => {
      const d = new Draw(nextSeed());
      const a = offGrid(d, [3, 1], 0.25);
      const b = offGrid(d, [1, 4], 0.75);
      const report = checkGradients(f, [a, b], { seed: d.seed });
      expect(report.maxError).toBe(0);
    });

    it('a comparison steering a differentiable function: where(a > b, a*a, b)', () => {
      const d = new Draw(nextSeed());
      const a = offGrid(d, [3, 4], 0.25);
      const b = offGrid(d, [3, 4], 0.75);
      checkGradients((x, y) => where(greater(x, y), mul(x, x), y), [a, b], { seed: d.seed });
    });
  });

  describe('where', () => {
    it('broadcasts a constant condition against both branches', () => {
      const d = new Draw(nextSeed());
      const cond = d.indices([3, 1], 2);
      checkGradients((a, b) => where(constant(cond), a, b), [d.uniform([3, 4]), d.uniform([4])], {
        seed: d.seed,
      });
    });

    it('gives the condition no gradient when it is differentiated too', () => {
      const d = new Draw(nextSeed());
      checkGradients(
        (c, a, b) => where(c, a, b),
        [d.awayFromZero([2, 3]), d.uniform([2, 3]), d.uniform([1])],
        {
          seed: d.seed,
        },
      );
    });
  });

  describe('a tensor used more than once', () => {
    it('f(x) = x*x + x accumulates both paths: df/dx = 2x + 1', () => {
      const d = new Draw(nextSeed());
      checkGradients((x) => add(mul(x, x), x), [d.uniform([2, 3])], { seed: d.seed });
    });

    it('f(x, y) = exp(x) * y / x + sigmoid(x * y)', () => {
      const d = new Draw(nextSeed());
      checkGradients(
        (x, y) => add(div(mul(exp(x), y), x), sigmoid(mul(x, y))),
        [d.awayFromZero([2, 3]), d.uniform([3])],
        { seed: d.seed },
      );
    });
  });
}
