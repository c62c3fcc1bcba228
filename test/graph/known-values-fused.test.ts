/**
 * Hand-computed values of the fused kernels, on the CPU and on WebGPU: matmul and conv2d with their
 * bias + activation epilogue (and the epilogue's backward), softmax cross-entropy, and the
 * per-channel ops batch normalisation is built from.
 */
import { expect, it } from 'vitest';
import { valueAndGrad } from '../../src/graph/autodiff';
import { tensor } from '../../src/graph/engine';
import {
  activationGrad,
  channelAffine,
  channelMoments,
  channelSums,
  fusedConv2d,
  fusedMatmul,
  mul,
  softmaxCrossEntropy,
  softmaxCrossEntropyGrad,
  sum,
} from '../../src/graph/ops';
import type { Tensor } from '../../src/graph/tensor';
import { describeOnBackends, expectValues } from '../on-backends';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describeOnBackends('fusedMatmul: act(A B + bias)', () => {
  // A B = [1*0.5 + 2*0.25, 1*-1 + 2*1; -0.5 + 0.125, 1 + 0.5] = [1, 1; -0.375, 1.5];
  // plus bias [-0.5, -1]: z = [0.5, 0; -0.875, 0.5].
  const a = () => tensor([1, 2, -1, 0.5], [2, 2]);
  const b = () => tensor([0.5, -1, 0.25, 1], [2, 2]);
  const bias = () => tensor([-0.5, -1]);
  const z = [0.5, 0, -0.875, 0.5];

  it('linear, relu, sigmoid and tanh epilogues', async () => {
    await expectValues(fusedMatmul(a(), b(), bias()), [2, 2], z);
    await expectValues(fusedMatmul(a(), b(), bias(), { activation: 'relu' }), [2, 2], [0.5, 0, 0, 0.5]);
    await expectValues(fusedMatmul(a(), b(), bias(), { activation: 'sigmoid' }), [2, 2], z.map(sigmoid), 6);
    await expectValues(fusedMatmul(a(), b(), bias(), { activation: 'tanh' }), [2, 2], z.map(Math.tanh), 6);
  });

  it('with transposed operands: A^T stored as [1, -1; 2, 0.5], B^T as [0.5, 0.25; -1, 1]', async () => {
    const y = fusedMatmul(tensor([1, -1, 2, 0.5], [2, 2]), tensor([0.5, 0.25, -1, 1], [2, 2]), bias(), {
      transposeA: true,
      transposeB: true,
    });
    await expectValues(y, [2, 2], z);
  });

  it('gradients of sum(y): linear passes dy = 1, relu masks where y = 0 (z <= 0)', async () => {
    const grads = (activation: 'linear' | 'relu') =>
      valueAndGrad((p: Tensor, q: Tensor, c: Tensor) => sum(fusedMatmul(p, q, c, { activation })))(
        a(),
        b(),
        bias(),
      ).grads;
    // linear: dA = 1 B^T (row sums of B: 0.5 - 1, 0.25 + 1), dB = A^T 1 (column sums of A: 0, 2.5).
    const [da, db, dbias] = grads('linear');
    await expectValues(da, [2, 2], [-0.5, 1.25, -0.5, 1.25]);
    await expectValues(db, [2, 2], [0, 0, 2.5, 2.5]);
    await expectValues(dbias, [2], [2, 2]);
    // relu: dz = [1, 0; 0, 1]; dA = dz B^T = [0.5, 0.25; -1, 1]; dB = A^T dz = [1, -1; 2, 0.5].
    const [ra, rb, rbias] = grads('relu');
    await expectValues(ra, [2, 2], [0.5, 0.25, -1, 1]);
    await expectValues(rb, [2, 2], [1, -1, 2, 0.5]);
    await expectValues(rbias, [2], [1, 1]);
  });

  it("activationGrad: dy act'(x) from y: relu y > 0, sigmoid y (1 - y), tanh 1 - y^2", async () => {
    const dy = () => tensor([2, 2, 2]);
    const y = () => tensor([0, 0.25, 0.5]);
    await expectValues(activationGrad(dy(), y(), 'relu'), [3], [0, 2, 2]);
    await expectValues(activationGrad(dy(), y(), 'sigmoid'), [3], [0, 0.375, 0.5]);
    await expectValues(activationGrad(dy(), y(), 'tanh'), [3], [2, 1.875, 1.5]);
  });
});

describeOnBackends('fusedConv2d: act(conv2d(x, w) + bias)', () => {
  // conv2d of 1..9 (3x3) with [1, 2; 3, 4] is [37, 47, 67, 77]; the bias -50 gives [-13, -3, 17, 27].
  const x = () => tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
  const w = () => tensor([1, 2, 3, 4], [2, 2, 1, 1]);

  it('linear and relu', async () => {
    await expectValues(fusedConv2d(x(), w(), tensor([-50])), [1, 2, 2, 1], [-13, -3, 17, 27]);
    await expectValues(
      fusedConv2d(x(), w(), tensor([-50]), { activation: 'relu' }),
      [1, 2, 2, 1],
      [0, 0, 17, 27],
    );
  });

  it('one bias per filter: 1x1 filters [1, 2, 3; 4, 5, 6] over channels [1, 2], bias [1, -1, 0.5]', async () => {
    const y = fusedConv2d(
      tensor([1, 2], [1, 1, 1, 2]),
      tensor([1, 2, 3, 4, 5, 6], [1, 1, 2, 3]),
      tensor([1, -1, 0.5]),
    );
    await expectValues(y, [1, 1, 1, 3], [10, 11, 15.5]);
  });

  it('relu gradient: only the two positive outputs pass dy; the bias gets their count', async () => {
    const [dx, dw, dbias] = valueAndGrad((p: Tensor, q: Tensor, c: Tensor) =>
      sum(fusedConv2d(p, q, c, { activation: 'relu' })),
    )(x(), w(), tensor([-50])).grads;
    // dz = [0, 0; 1, 1] at outputs (1,0), (1,1): dx adds w at rows 1-2, columns 0-1 and 1-2.
    await expectValues(dx, [1, 3, 3, 1], [0, 0, 0, 1, 3, 2, 3, 7, 4]);
    // dw[a][b] = x[1 + a][b] + x[1 + a][1 + b].
    await expectValues(dw, [2, 2, 1, 1], [9, 11, 15, 17]);
    await expectValues(dbias, [1], [2]);
  });
});

describeOnBackends('softmaxCrossEntropy', () => {
  // Row 0: softmax([0, ln 2, ln 3]) = [1, 2, 3] / 6 against class 2: loss -ln(1/2) = ln 2.
  // Row 1: [1000, 1001, 1000] against [0.5, 0.5, 0]: logsumexp = 1000 + ln(2 + e), so the loss
  // is -(0.5 (1000 - lse) + 0.5 (1001 - lse)) = ln(2 + e) - 0.5.
  // Row 2, confident and right: [1000, 990, 990] against class 0: ln(1 + 2 e^-10), about 9.1e-5,
  // far below the f32 spacing (6e-5) of numbers near 1000.
  const e = Math.E;
  const q = Math.exp(-10);
  const confident = Math.log1p(2 * q);
  const logits = () => tensor([0, Math.log(2), Math.log(3), 1000, 1001, 1000, 1000, 990, 990], [3, 3]);
  const labels = () => tensor([0, 0, 1, 0.5, 0.5, 0, 1, 0, 0], [3, 3]);
  const dy = () => tensor([1, 2, 3]);

  it('one loss per row, large logits and a confident row included', async () => {
    const loss = softmaxCrossEntropy(logits(), labels());
    await expectValues(loss, [3], [Math.log(2), Math.log(2 + e) - 0.5, confident]);
    const small = (await loss.data())[2];
    expect(Math.abs(small - confident) / confident, `confident row: ${small}`).toBeLessThan(1e-2);
  });

  it('gradient for the logits: dy (softmax(z) sum(t) - t), dy per row [1, 2, 3]', async () => {
    const row1 = [1 / (2 + e) - 0.5, e / (2 + e) - 0.5, 1 / (2 + e)].map((v) => 2 * v);
    const row2 = [-2 * q, q, q].map((v) => (3 * v) / (1 + 2 * q));
    const expected = [1 / 6, 1 / 3, -1 / 2, ...row1, ...row2];
    await expectValues(softmaxCrossEntropyGrad(dy(), logits(), labels()), [3, 3], expected);
    const [dz, dt] = valueAndGrad((z: Tensor, t: Tensor) => sum(mul(softmaxCrossEntropy(z, t), dy())))(
      logits(),
      labels(),
    ).grads;
    await expectValues(dz, [3, 3], expected);
    // d/dt = -dy logSoftmax(z) = dy (lse - z): row 0 -ln([1, 2, 3] / 6), row 1 2 (ln(2 + e) - [0, 1, 0]),
    // row 2 3 ([0, 10, 10] + ln(1 + 2 e^-10)).
    const l = Math.log(2 + e);
    const row2t = [0, 10, 10].map((v) => 3 * (v + confident));
    await expectValues(
      dt,
      [3, 3],
      [Math.log(6), Math.log(3), Math.log(2), 2 * l, 2 * (l - 1), 2 * l, ...row2t],
      4,
    );
  });
});

describeOnBackends('channel ops (batch normalisation)', () => {
  // Two channels of three rows: [1, 2, 6] (mean 3, variance (4 + 1 + 9) / 3) and [10, 20, 60].
  const x = () => tensor([1, 10, 2, 20, 6, 60], [3, 2]);
  const center = () => tensor([3, 30]);

  it("channelMoments: each channel's mean and biased variance, last axis and axis 1 of three", async () => {
    await expectValues(channelMoments(x()), [2, 2], [3, 30, 14 / 3, 1400 / 3], 4);
    // [2, 2, 2] with channels on axis 1: channel 0 holds 1, 2, 3, 4 and channel 1 10, 20, 30, 40.
    const channelsFirst = tensor([1, 2, 10, 20, 3, 4, 30, 40], [2, 2, 2]);
    await expectValues(channelMoments(channelsFirst, 1), [2, 2], [2.5, 25, 1.25, 125], 4);
  });

  it('channelAffine: (x - center) scale + shift per channel', async () => {
    const y = channelAffine(x(), center(), tensor([0.5, 0.1]), tensor([1, -1]));
    await expectValues(y, [3, 2], [0, -3, 0.5, -2, 2.5, 2]);
  });

  it('channelSums: [sum dy (x - center); sum dy] per channel', async () => {
    const dy = tensor([1, 1, 2, -1, 0, 1], [3, 2]);
    // channel 0: 1 (-2) + 2 (-1) + 0 (3) = -4, sum 3; channel 1: -20 + 10 + 30 = 20, sum 1.
    await expectValues(channelSums(dy, x(), center()), [2, 2], [-4, 20, 3, 1]);
  });
});
