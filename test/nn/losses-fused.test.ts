/**
 * Cross-entropy through the fused softmaxCrossEntropy kernel (from logits, or from the output of a
 * softmax over the class axis) against the unfused formula -sum(t * logSoftmax(z)), in value and
 * gradient; and the cases that must keep the Keras probability path (renormalise and clip).
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import { withBackend } from '../../src/graph/engine';
import { pruneDeadNodes } from '../../src/graph/program/passes';
import { tracePositional } from '../../src/graph/program/trace';
import {
  abs,
  Dense,
  div,
  getLoss,
  log,
  logSoftmax,
  mul,
  neg,
  Sequential,
  softmax,
  sum,
  type Tensor,
  tensor,
  valueAndGrad,
} from '../../src/index';
import { expectClose, randomTensor, recordingCpu, values64 } from './helpers';

const f64 = new CpuBackend('float64');

/** The per-sample loss and its gradient for the logits, through the softmax output or the logits. */
function lossAndGrad(fromLogits: boolean, t: Tensor, z: Tensor) {
  const loss = getLoss({ name: 'categoricalCrossentropy', fromLogits });
  const f = (logits: Tensor) => sum(loss.perSample(t, fromLogits ? logits : softmax(logits)));
  const { value, grads } = valueAndGrad(f)(z);
  return {
    loss: values64(loss.perSample(t, fromLogits ? z : softmax(z))),
    total: value,
    grad: values64(grads[0]),
  };
}

describe('fused softmax cross-entropy in the losses', () => {
  it.each([false, true])('fromLogits %s equals -sum(t logSoftmax(z)), value and gradient', (fromLogits) => {
    withBackend(f64, () => {
      const z = randomTensor([6, 5], 3, 1);
      // Soft labels too: the fused gradient scales softmax by sum(t), which is 1 only for one-hot rows.
      const t = abs(randomTensor([6, 5], 1, 2));
      const fused = lossAndGrad(fromLogits, t, z);
      const unfused = (logits: Tensor) => sum(neg(sum(mul(t, logSoftmax(logits)), -1)));
      const reference = valueAndGrad(unfused)(z);
      expectClose(fused.loss, values64(neg(sum(mul(t, logSoftmax(z)), -1))), 1e-12);
      expectClose(fused.grad, values64(reference.grads[0]), 1e-12);
    });
  });

  it('a softmax output layer trains through the fused kernel, no clip on a confident wrong row', () => {
    withBackend(f64, () => {
      // Logits 0 and 40: p = e^-40 for the true class, below Keras's 1e-7 clip; from the logits
      // the loss is the exact 40, where the probability path would stop at -log(1e-7) = 16.1.
      const z = tensor([[0, 40]]);
      const t = tensor([[1, 0]]);
      const loss = getLoss('categoricalCrossentropy');
      expectClose(values64(loss.perSample(t, softmax(z))), [40], 1e-9);
    });
    const { backend, ran } = recordingCpu();
    withBackend(backend, () => {
      const model = new Sequential({
        seed: 3,
        layers: [new Dense({ units: 2, activation: 'softmax', inputShape: [3] })],
      });
      model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
      const out = model.apply(tensor([[1, 2, 3]]), { training: false, step: 0, seed: 0, updates: [] });
      getLoss('categoricalCrossentropy').perSample(tensor([[0, 1]]), out);
    });
    expect(ran).toContain('fusedMatmul');
    expect(ran).toContain('softmaxCrossEntropy');
    expect(ran).not.toContain('log');
  });

  it('a softmax over the last axis names its logits, in a traced step too, where only the fused kernel is left', () => {
    withBackend(f64, () => {
      const z = randomTensor([2, 3], 1, 5);
      expect(softmax(z).logits).toBe(z);
      expect(softmax(z, 0).logits).toBe(null);
      expect(z.logits).toBe(null);
    });
    const program = pruneDeadNodes(
      tracePositional(
        [
          [4, 3],
          [4, 3],
        ],
        (z, t) => [sum(getLoss('categoricalCrossentropy').perSample(t, softmax(z)))],
      ),
    );
    const ops = program.nodes.map((n) => n.op);
    expect(ops).toContain('softmaxCrossEntropy');
    expect(ops).not.toContain('softmax');
    expect(ops).not.toContain('log');
  });

  it('probabilities that no softmax produced keep the renormalise-and-clip path', () => {
    withBackend(f64, () => {
      const loss = getLoss('categoricalCrossentropy');
      const t = tensor([[1, 0, 0]]);
      const ts = tensor([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]);
      // Not normalised (sums to 2) and one zero: Keras renormalises, then clips at 1e-7.
      expectClose(values64(loss.perSample(t, tensor([[1, 0.5, 0.5]]))), [-Math.log(0.5)], 1e-12);
      expectClose(values64(loss.perSample(t, tensor([[0, 0.5, 0.5]]))), [-Math.log(1e-7)], 1e-9);
      // A softmax over another axis is not each row's class distribution: renormalised, as any
      // probabilities.
      const z = randomTensor([3, 3], 1, 4);
      const p = softmax(z, 0);
      const byHand = values64(neg(sum(mul(ts, log(div(p, sum(p, -1, true)))), -1)));
      expectClose(values64(loss.perSample(ts, p)), byHand, 1e-9);
    });
  });
});
