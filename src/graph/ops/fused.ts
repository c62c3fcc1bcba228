/**
 * Fused ops: what dense and convolution layers and a softmax classifier's loss compute in several
 * primitives, computed in one kernel each, with exact vector-Jacobian products (themselves fused
 * where the training step runs them every time).
 *   fusedMatmul:             y = act(op(A) op(B) + bias), bias [n] added to every row
 *   fusedConv2d:             y = act(conv2d(x, w) + bias), bias [filters] added at every position
 *   activationGrad:          dy * act'(x), with act' written in terms of y = act(x):
 *                            relu y > 0;  sigmoid y (1 - y);  tanh 1 - y^2
 *   softmaxCrossEntropy:     loss = -sum_j t_j log softmax(z)_j over the last axis
 *   softmaxCrossEntropyGrad: dz = dy (softmax(z) sum_j t_j - t), the loss's gradient for the logits
 * Their shapes and backwards are in defs/fused.ts.
 */
import { runOp } from '../engine';
import type { FusedActivation, OpParams } from '../op-params';
import type { Tensor } from '../tensor';
import { type Conv2dOptions, conv2dOptions } from './conv';

export interface FusedMatmulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
  activation?: FusedActivation;
}

/** act(op(a) @ op(b) + bias) in one kernel: a dense layer's forward pass. */
export function fusedMatmul(a: Tensor, b: Tensor, bias: Tensor, options: FusedMatmulOptions = {}): Tensor {
  const params: OpParams['fusedMatmul'] = {
    transposeA: options.transposeA ?? false,
    transposeB: options.transposeB ?? false,
    activation: options.activation ?? 'linear',
  };
  return runOp('fusedMatmul', [a, b, bias], params);
}

export interface FusedConv2dOptions extends Conv2dOptions {
  activation?: FusedActivation;
}

/** act(conv2d(x, filter) + bias) in one kernel: a Conv2D layer's forward pass. */
export function fusedConv2d(
  x: Tensor,
  filter: Tensor,
  bias: Tensor,
  options: FusedConv2dOptions = {},
): Tensor {
  return runOp('fusedConv2d', [x, filter, bias], {
    ...conv2dOptions('fusedConv2d', options),
    activation: options.activation ?? 'linear',
  });
}

/** dy times the derivative of `activation` at the point where it output y. */
export function activationGrad(dy: Tensor, y: Tensor, activation: OpParams['activationGrad']['activation']) {
  return runOp('activationGrad', [dy, y], { activation });
}

/**
 * Cross-entropy of softmax(logits) against `labels` (one-hot or probabilities) over the last axis,
 * one value per row: -sum(labels * logSoftmax(logits)) in one pass.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  return runOp('softmaxCrossEntropy', [logits, labels], {});
}

/** The gradient of softmaxCrossEntropy for its logits, given the upstream gradient of each row. */
export function softmaxCrossEntropyGrad(dy: Tensor, logits: Tensor, labels: Tensor): Tensor {
  return runOp('softmaxCrossEntropyGrad', [dy, logits, labels], {});
}
