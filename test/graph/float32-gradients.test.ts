/**
 * Gradients as users get them: float32 CPU autodiff against float64 central differences, relative
 * error under 1e-3 (error measure in gradcheck.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  add,
  avgPool2d,
  conv2d,
  matmul,
  maxPool2d,
  mean,
  relu,
  softmax,
  square,
  sub,
  tanh,
} from '../../src/graph/ops';
import type { Tensor } from '../../src/graph/tensor';
import { checkFloat32Gradients, constant, Draw, nextSeed } from './gradcheck';

describe('float32 autodiff against float64 finite differences', () => {
  it('matmul', () => {
    const d = new Draw(nextSeed());
    const report = checkFloat32Gradients((a, b) => matmul(a, b), [d.normal([8, 16]), d.normal([16, 6])], {
      seed: d.seed,
    });
    // float32 is not exact: a check that reports 0 here would mean both sides ran in the same precision.
    expect(report.maxError).toBeGreaterThan(0);
  });

  it('softmax followed by mean squared error', () => {
    const d = new Draw(nextSeed());
    const target = d.uniform([6, 10], 0, 1);
    checkFloat32Gradients((x) => mean(square(sub(softmax(x), constant(target)))), [d.normal([6, 10], 3)], {
      seed: d.seed,
    });
  });

  it('conv2d, stride 2, same padding', () => {
    const d = new Draw(nextSeed());
    checkFloat32Gradients(
      (x, w) => conv2d(x, w, { strides: 2, padding: 'same' }),
      [d.normal([2, 7, 7, 3]), d.normal([3, 3, 3, 4])],
      { seed: d.seed },
    );
  });

  // The float32 CPU backend runs these through its WebAssembly kernels (conv-simd.ts, pool-simd.ts).
  it('conv2d, stride 1, valid padding, 5 channels to 6 filters, batch 3', () => {
    const d = new Draw(nextSeed());
    checkFloat32Gradients((x, w) => conv2d(x, w), [d.normal([3, 6, 5, 5]), d.normal([2, 3, 5, 6])], {
      seed: d.seed,
    });
  });

  it('conv2d, relu and a 3x3 max pool (stride 2, same padding)', () => {
    const d = new Draw(nextSeed());
    checkFloat32Gradients(
      (x, w) => maxPool2d(relu(conv2d(x, w, { padding: 'same' })), 3, { strides: 2, padding: 'same' }),
      [d.normal([2, 6, 7, 3]), d.normal([3, 3, 3, 5])],
      { seed: d.seed },
    );
  });

  it('a 2x2 average pool (stride 1, same padding), 6 channels', () => {
    const d = new Draw(nextSeed());
    checkFloat32Gradients((x) => avgPool2d(x, 2, { strides: 1, padding: 'same' }), [d.normal([2, 5, 4, 6])], {
      seed: d.seed,
    });
  });

  it('a two-layer MLP loss', () => {
    const d = new Draw(nextSeed());
    const xs = d.normal([16, 5]);
    const target = d.uniform([16, 3], 0, 1);
    const loss = (w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor): Tensor => {
      const h = tanh(add(matmul(constant(xs), w1), b1));
      return mean(square(sub(softmax(add(matmul(h, w2), b2)), constant(target))));
    };
    checkFloat32Gradients(
      loss,
      [d.normal([5, 8], 0.5), d.uniform([8]), d.normal([8, 3], 0.5), d.uniform([3])],
      {
        seed: d.seed,
      },
    );
  });
});
