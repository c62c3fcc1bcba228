/**
 * Hand-computed gradients, on the CPU and on WebGPU: each case is the vector-Jacobian product of
 * sum(f(x) * d) for a stated upstream d, worked out on paper from the op's definition.
 */
import { it } from 'vitest';
import { valueAndGrad } from '../../src/graph/autodiff';
import { tensor } from '../../src/graph/engine';
import {
  avgPool2d,
  conv2d,
  conv2dBackpropFilter,
  conv2dBackpropInput,
  logSoftmax,
  max,
  maxPool2d,
  mean,
  moments,
  mul,
  ones,
  softmax,
  sum,
} from '../../src/graph/ops';
import type { Tensor } from '../../src/graph/tensor';
import { describeOnBackends, expectValues } from '../on-backends';

/** 1, 2, ..., n laid out in `shape`. */
function iota(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    Array.from({ length: n }, (_, i) => i + 1),
    shape,
  );
}

/** The gradients of sum(f(...inputs) * d) for each input. */
function vjp(f: (...xs: Tensor[]) => Tensor, d: Tensor, ...inputs: Tensor[]): Tensor[] {
  return valueAndGrad((...xs: Tensor[]) => sum(mul(f(...xs), d)))(...inputs).grads;
}

describeOnBackends('conv2d gradients', () => {
  it('valid, stride 1: x 1..9 (3x3), w [1, 2; 3, 4], d [1, -1; 2, 0]', async () => {
    const d = tensor([1, -1, 2, 0], [1, 2, 2, 1]);
    const w = tensor([1, 2, 3, 4], [2, 2, 1, 1]);
    // dx = d placed at each output and weighted by w (a full convolution):
    //   dx[1][1] = d00 w11 + d01 w10 + d10 w01 + d11 w00 = 4 - 3 + 4 + 0 = 5.
    const dxValues = [1, 1, -2, 5, 5, -4, 6, 8, 0];
    // dw[a][b] = sum d[i][j] x[i + a][j + b]: dw00 = 1 - 2 + 2 * 4 = 7.
    const dwValues = [7, 9, 13, 15];
    const [dx, dw] = vjp((x, f) => conv2d(x, f), d, iota([1, 3, 3, 1]), w);
    await expectValues(dx, [1, 3, 3, 1], dxValues);
    await expectValues(dw, [2, 2, 1, 1], dwValues);
    await expectValues(conv2dBackpropInput(d, w, [1, 3, 3, 1]), [1, 3, 3, 1], dxValues);
    await expectValues(conv2dBackpropFilter(iota([1, 3, 3, 1]), d, [2, 2, 1, 1]), [2, 2, 1, 1], dwValues);
  });

  it('same, stride 2 on 4x4: the padded row and column (below, right) get no gradient', async () => {
    // 3x3 box filter; windows cover rows/columns 0-2 (i = 0) and 2-3 (i = 1), so row and column 2
    // collect from both. d = [1, 2; 3, 4].
    const d = tensor([1, 2, 3, 4], [1, 2, 2, 1]);
    const [dx, dw] = vjp(
      (x, f) => conv2d(x, f, { strides: 2, padding: 'same' }),
      d,
      iota([1, 4, 4, 1]),
      ones([3, 3, 1, 1]),
    );
    await expectValues(dx, [1, 4, 4, 1], [1, 1, 3, 2, 1, 1, 3, 2, 4, 4, 10, 6, 3, 3, 7, 4]);
    // dw[a][b] = x[a][b] + 2 x[a][2 + b] + 3 x[2 + a][b] + 4 x[2 + a][2 + b], x = 0 past the edge.
    await expectValues(dw, [3, 3, 1, 1], [78, 88, 36, 118, 128, 52, 31, 34, 11]);
  });

  it('channels: 1x1 filters [1, 2, 3; 4, 5, 6] over x [1, 2], d [1, -1, 2]', async () => {
    const [dx, dw] = vjp(
      (x, f) => conv2d(x, f),
      tensor([1, -1, 2], [1, 1, 1, 3]),
      tensor([1, 2], [1, 1, 1, 2]),
      tensor([1, 2, 3, 4, 5, 6], [1, 1, 2, 3]),
    );
    // dx[c] = sum_f w[c][f] d[f]; dw[c][f] = x[c] d[f].
    await expectValues(dx, [1, 1, 1, 2], [5, 11]);
    await expectValues(dw, [1, 1, 2, 3], [1, -1, 2, 2, -2, 4]);
  });
});

describeOnBackends('pooling gradients', () => {
  it("maxPool2d sends each window's d to its maximum, wherever it sits", async () => {
    // windows: {1, 8, 3, 7} max at (0,1); {5, 2, 4, 6} at (1,3); {9, 0, 11, 10} at (3,0); {12, 13, 15, 14} at (3,2).
    const x = tensor([1, 8, 5, 2, 3, 7, 4, 6, 9, 0, 12, 13, 11, 10, 15, 14], [1, 4, 4, 1]);
    const [dx] = vjp((p) => maxPool2d(p, 2), tensor([1, 2, 3, 4], [1, 2, 2, 1]), x);
    await expectValues(dx, [1, 4, 4, 1], [0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 4, 0]);
  });

  it("maxPool2d with overlapping windows adds both windows' d at a shared maximum", async () => {
    // [[1, 5, 2], [3, 4, 0]], pool 2 stride 1: both windows take the 5.
    const [dx] = vjp(
      (p) => maxPool2d(p, 2, { strides: 1 }),
      tensor([1, 2], [1, 1, 2, 1]),
      tensor([1, 5, 2, 3, 4, 0], [1, 2, 3, 1]),
    );
    await expectValues(dx, [1, 2, 3, 1], [0, 3, 0, 0, 0, 0]);
  });

  it('avgPool2d spreads d / 4 over each 2x2 window', async () => {
    const [dx] = vjp((p) => avgPool2d(p, 2), tensor([1, 2, 3, 4], [1, 2, 2, 1]), iota([1, 4, 4, 1]));
    const row = (a: number, b: number) => [a / 4, a / 4, b / 4, b / 4];
    await expectValues(dx, [1, 4, 4, 1], [...row(1, 2), ...row(1, 2), ...row(3, 4), ...row(3, 4)]);
  });

  it('avgPool2d same divides by the real elements of each window: d [4, 6, 8, 3] over 3x3', async () => {
    // windows hold 4, 2, 2 and 1 elements.
    const [dx] = vjp(
      (p) => avgPool2d(p, 2, { padding: 'same' }),
      tensor([4, 6, 8, 3], [1, 2, 2, 1]),
      iota([1, 3, 3, 1]),
    );
    await expectValues(dx, [1, 3, 3, 1], [1, 1, 3, 1, 1, 3, 4, 4, 3]);
  });
});

describeOnBackends('softmax and logSoftmax gradients', () => {
  const x = () => tensor([0, Math.log(2), Math.log(3)]);

  it('softmax: dx = y (d - sum(d y)), y = [1, 2, 3] / 6, d = [1, 0, 0]', async () => {
    const [dx] = vjp((p) => softmax(p), tensor([1, 0, 0]), x());
    await expectValues(dx, [3], [5 / 36, -2 / 36, -3 / 36], 6);
  });

  it('logSoftmax: dx = d - softmax(x) sum(d), d = [1, 0, 0] and d = [1, 1, 1]', async () => {
    await expectValues(vjp((p) => logSoftmax(p), tensor([1, 0, 0]), x())[0], [3], [5 / 6, -1 / 3, -1 / 2], 6);
    await expectValues(vjp((p) => logSoftmax(p), tensor([1, 1, 1]), x())[0], [3], [0.5, 0, -0.5], 6);
  });
});

describeOnBackends('reductions', () => {
  it('a middle axis, and two axes at once, of 1..12 as [2, 3, 2]', async () => {
    await expectValues(sum(iota([2, 3, 2]), 1), [2, 2], [9, 12, 27, 30]);
    await expectValues(max(iota([2, 3, 2]), [0, 2]), [3], [8, 10, 12]);
    await expectValues(mean(iota([2, 3, 2]), [0, 2], true), [1, 3, 1], [4.5, 6.5, 8.5]);
  });

  it('moments: mean and biased variance over axis 0', async () => {
    const { mean: m, variance } = moments(tensor([1, 2, 3, 4, 5, 9], [2, 3]), 0);
    await expectValues(m, [3], [2.5, 3.5, 6]);
    await expectValues(variance, [3], [2.25, 2.25, 9]);
  });

  it('a long reduction: 70,000 ones sum to 70,000, and (i mod 4) over 4,096 has mean 1.5', async () => {
    await expectValues(sum(ones([70_000])), [], [70_000]);
    const cycle = tensor(
      Array.from({ length: 4096 }, (_, i) => i % 4),
      [64, 64],
    );
    await expectValues(mean(cycle), [], [1.5]);
    await expectValues(
      sum(cycle, 0),
      [64],
      Array.from({ length: 64 }, (_, j) => 64 * (j % 4)),
    );
  });

  it('gradients: sum copies d along the axis, mean divides it, max routes it to the maximum', async () => {
    const x = () => tensor([1, 5, 3, 7, 2, 6], [2, 3]);
    await expectValues(vjp((p) => sum(p, 1), tensor([1, 2]), x())[0], [2, 3], [1, 1, 1, 2, 2, 2]);
    await expectValues(vjp((p) => mean(p, 0), tensor([1, 2, 3]), x())[0], [2, 3], [0.5, 1, 1.5, 0.5, 1, 1.5]);
    await expectValues(vjp((p) => max(p, 1), tensor([1, 2]), x())[0], [2, 3], [0, 1, 0, 2, 0, 0]);
  });
});
