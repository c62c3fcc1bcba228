/** Hand-computed values of the elementwise and layout ops on the CPU and WebGPU (known-values.test.ts has the nn ops). */
import { expect, it } from 'vitest';
import { tensor } from '../../src/graph/engine';
import {
  abs,
  clip,
  concat,
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
  neg,
  notEqual,
  pad,
  pow,
  relu,
  scatterAdd,
  sigmoid,
  sign,
  slice,
  sqrt,
  sub,
  tanh,
  transpose,
  where,
} from '../../src/graph/ops';
import type { Tensor } from '../../src/graph/tensor';
import { describeOnBackends, expectValues as expectToDigits } from '../on-backends';

const expectValues = (t: Tensor, shape: number[], values: number[]) => expectToDigits(t, shape, values, 6);

const m23 = (): Tensor => tensor([1, 2, 3, 4, 5, 6], [2, 3]);

describeOnBackends('elementwise', () => {
  const x = () => tensor([-2, -0.5, 0, 1.5]);

  it('relu, leakyRelu, elu, abs, sign', async () => {
    await expectValues(relu(x()), [4], [0, 0, 0, 1.5]);
    await expectValues(leakyRelu(x(), 0.1), [4], [-0.2, -0.05, 0, 1.5]);
    await expectValues(elu(x(), 2), [4], [2 * (Math.exp(-2) - 1), 2 * (Math.exp(-0.5) - 1), 0, 1.5]);
    await expectValues(abs(x()), [4], [2, 0.5, 0, 1.5]);
    await expectValues(sign(x()), [4], [-1, -1, 0, 1]);
  });

  it('exp, log, sigmoid, tanh, neg', async () => {
    const ln2 = Math.log(2);
    await expectValues(exp(tensor([0, 1, -1, ln2])), [4], [1, Math.E, 1 / Math.E, 2]);
    await expectValues(log(tensor([1, Math.E, 0.5, 8])), [4], [0, 1, -ln2, 3 * ln2]);
    // sigmoid(ln 3) = 3 / 4; tanh(ln 2) = (2 - 1/2) / (2 + 1/2).
    await expectValues(sigmoid(tensor([0, Math.log(3), -Math.log(3)])), [3], [0.5, 0.75, 0.25]);
    await expectValues(tanh(tensor([0, ln2, -ln2])), [3], [0, 0.6, -0.6]);
    await expectValues(neg(tensor([1, -2, 0])), [3], [-1, 2, 0]);
  });

  it('near 0 and 1 the small results keep their relative precision', async () => {
    // f32(1 + 2^-20): log is 2^-20 (1 - 2^-21 + ...); sigmoid(x) - 1/2 and tanh(x) are about x/4 and x.
    const tiny = 2 ** -20;
    const [l] = await log(tensor([1 + tiny])).data();
    expect(Math.abs(l - Math.log1p(tiny)) / tiny, `log(1 + 2^-20) = ${l}`).toBeLessThan(1e-3);
    const [t] = await tanh(tensor([1e-8])).data();
    expect(Math.abs(t - 1e-8) / 1e-8, `tanh(1e-8) = ${t}`).toBeLessThan(1e-3);
    // e^-80 is 1.8e-35, still a normal f32 (below 1.2e-38 a GPU may flush to 0).
    const [e] = await exp(tensor([-80])).data();
    expect(Math.abs(e - Math.exp(-80)) / Math.exp(-80), `exp(-80) = ${e}`).toBeLessThan(1e-3);
  });

  it('sub and div broadcast', async () => {
    await expectValues(sub(tensor([1, 2]), tensor([1, 2], [2, 1])), [2, 2], [0, 1, -1, 0]);
    await expectValues(div(tensor([6, 8, -3]), tensor([2])), [3], [3, 4, -1.5]);
  });

  it('clip, sqrt, pow', async () => {
    await expectValues(clip(x(), -1, 1), [4], [-1, -0.5, 0, 1]);
    await expectValues(sqrt(tensor([0, 0.25, 9])), [3], [0, 0.5, 3]);
    await expectValues(pow(tensor([2, -3, 4]), tensor([3, 2, 0.5])), [3], [8, 9, 2]);
  });

  it('comparisons give 0 or 1, broadcasting', async () => {
    const a = tensor([1, 2, 3]);
    const b = tensor([2]);
    await expectValues(equal(a, b), [3], [0, 1, 0]);
    await expectValues(notEqual(a, b), [3], [1, 0, 1]);
    await expectValues(greater(a, b), [3], [0, 0, 1]);
    await expectValues(greaterEqual(a, b), [3], [0, 1, 1]);
    await expectValues(less(a, b), [3], [1, 0, 0]);
    await expectValues(lessEqual(a, b), [3], [1, 1, 0]);
  });

  it('where picks per element, with a broadcast condition and a scalar branch', async () => {
    await expectValues(where(tensor([1, 0], [2, 1]), m23(), -1), [2, 3], [1, 2, 3, -1, -1, -1]);
  });
});

describeOnBackends('layout', () => {
  it('transpose of a matrix and a 3-D permutation', async () => {
    await expectValues(transpose(m23()), [3, 2], [1, 4, 2, 5, 3, 6]);
    // x[i][j][k] = 100i + 10j + k with shape [2,3,2]; perm [2,0,1] gives y[k][i][j].
    const x = tensor([0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121], [2, 3, 2]);
    await expectValues(
      transpose(x, [2, 0, 1]),
      [2, 2, 3],
      [0, 10, 20, 100, 110, 120, 1, 11, 21, 101, 111, 121],
    );
  });

  it('slice, with -1 meaning to the end', async () => {
    await expectValues(slice(m23(), [0, 1], [2, 2]), [2, 2], [2, 3, 5, 6]);
    await expectValues(slice(m23(), [1, 0], [-1, -1]), [1, 3], [4, 5, 6]);
  });

  it('pad with zeros before and after', async () => {
    await expectValues(
      pad(tensor([1, 2], [1, 2]), [
        [1, 0],
        [0, 1],
      ]),
      [2, 3],
      [0, 0, 0, 1, 2, 0],
    );
  });

  it('concat along each axis', async () => {
    await expectValues(concat([m23(), tensor([7, 8, 9], [1, 3])], 0), [3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await expectValues(concat([m23(), tensor([7, 8], [2, 1])], 1), [2, 4], [1, 2, 3, 7, 4, 5, 6, 8]);
  });

  it('scatterAdd sums rows sent to the same index', async () => {
    const y = scatterAdd(tensor([1, 2, 3, 4, 5, 6], [3, 2]), tensor([2, 0, 2]), 3);
    await expectValues(y, [3, 2], [3, 4, 0, 0, 6, 8]);
  });
});
