/**
 * Hand-computed values of the fused kernels, on the CPU and on WebGPU: softmax cross-entropy.
 */
import { expect, it } from 'vitest';
import { valueAndGrad } from '../../src/graph/autodiff';
import { tensor } from '../../src/graph/engine';
import { mul, softmaxCrossEntropy, softmaxCrossEntropyGrad, sum } from '../../src/graph/ops';
import type { Tensor } from '../../src/graph/tensor';
import { describeOnBackends, expectValues } from '../on-backends';

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
