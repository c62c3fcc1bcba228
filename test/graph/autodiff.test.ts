/** The tape and the backward walk: accumulation, unused inputs, deep graphs, what is not differentiated. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors';
import { grad, valueAndGrad } from '../../src/graph/autodiff';
import { noGrad, tensor } from '../../src/graph/engine';
import { add, exp, mul, sub, sum } from '../../src/graph/ops';
import type { Tensor } from '../../src/graph/tensor';

const values = (t: Tensor): number[] => Array.from(t.dataSync());

describe('valueAndGrad', () => {
  it('returns the value and one gradient per argument, shaped like it', () => {
    const { value, grads } = valueAndGrad((a, b) => sum(mul(a, b)))(tensor([1, 2, 3]), tensor([4, 5, 6]));
    expect(values(value)).toEqual([32]);
    expect(values(grads[0])).toEqual([4, 5, 6]);
    expect(values(grads[1])).toEqual([1, 2, 3]);
  });

  it('accumulates over every path a tensor takes (a diamond)', () => {
    // f = sum(u * v) with u = 2x, v = x + 1: df/dx = 2(x + 1) + 2x = 4x + 2.
    const f = (x: Tensor) => {
      const u = mul(x, 2);
      const v = add(x, 1);
      return sum(mul(u, v));
    };
    expect(values(grad(f)(tensor([0, 1, -2]))[0])).toEqual([2, 6, -6]);
  });

  it('the same tensor passed as two arguments gets a gradient for each', () => {
    const x = tensor([3]);
    const [ga, gb] = grad((a, b) => sum(mul(mul(a, a), b)))(x, x);
    expect(values(ga)).toEqual([18]);
    expect(values(gb)).toEqual([9]);
  });

  it('an unused argument gets zeros; f returning an argument gets ones', () => {
    const [, gy] = grad((x) => sum(x))(tensor([1, 2]), tensor([1, 2, 3]));
    expect(gy.shape).toEqual([3]);
    expect(values(gy)).toEqual([0, 0, 0]);
    expect(values(grad((x) => x)(tensor(5))[0])).toEqual([1]);
  });

  it('does not change its arguments: they are not marked for differentiation afterwards', () => {
    const x = tensor([1, 2]);
    grad((t) => sum(exp(t)))(x);
    expect(x.requiresGrad).toBe(false);
    expect(x.node).toBeNull();
  });

  it('values computed under noGrad inside f are constants', () => {
    // f = sum(x * stop(x)): df/dx = stop(x) = x, not 2x.
    const g = grad((x) =>
      sum(
        mul(
          x,
          noGrad(() => mul(x, 1)),
        ),
      ),
    )(tensor([1, 2, 3]));
    expect(values(g[0])).toEqual([1, 2, 3]);
  });

  it('walks a chain of 20 000 ops without overflowing the stack', () => {
    const f = (x: Tensor) => {
      let y = x;
      for (let i = 0; i < 20_000; i++) y = i % 2 === 0 ? add(y, 1) : sub(y, 1);
      return sum(mul(y, 3));
    };
    expect(values(grad(f)(tensor([1, 2]))[0])).toEqual([3, 3]);
  });

  it('rejects arguments that are not tensors', () => {
    expect(() => valueAndGrad((x) => x)(3 as unknown as Tensor)).toThrow(InvalidArgumentError);
    expect(() => valueAndGrad((x) => x)(3 as unknown as Tensor)).toThrow(/valueAndGrad: .*received number/);
  });
});

describe('nested valueAndGrad', () => {
  it('is refused when the inner call differentiates a tensor the outer one tracks', () => {
    const outer = (x: Tensor) => valueAndGrad((t) => sum(mul(t, t)))(x).value;
    expect(() => valueAndGrad(outer)(tensor([1, 2]))).toThrow(
      /argument 0 \[2\] is being differentiated by an enclosing/,
    );
  });

  it('is allowed on tensors the outer call does not track', () => {
    const outer = (x: Tensor) => {
      const [g] = grad((t) => sum(mul(t, t)))(tensor([3]));
      return sum(mul(x, g));
    };
    expect(values(grad(outer)(tensor([1]))[0])).toEqual([6]);
  });
});
