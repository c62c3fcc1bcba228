/**
 * Neural-network ops: matmul, and softmax and log-softmax over an axis. Their shapes and backwards
 * are in defs/nn.ts.
 */
import { runOp } from '../engine';
import { normalizeAxis } from '../shape';
import { Tensor } from '../tensor';

export interface MatmulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
}

/** Matrix product op(a) @ op(b), where op transposes when asked. */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  return runOp('matmul', [a, b], {
    transposeA: options.transposeA ?? false,
    transposeB: options.transposeB ?? false,
  });
}

/**
 * exp(x) / sum(exp(x)) along `axis`, computed with the maximum subtracted first. Over the last
 * axis the result names x as its `logits`, so a cross-entropy on it can work from them.
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  const a = normalizeAxis('softmax', axis, x.rank);
  const y = runOp('softmax', [x], { axis: a });
  if (a !== x.rank - 1) return y;
  const out = new Tensor(y.shape, y.storage, y.backend, x);
  out.requiresGrad = y.requiresGrad;
  out.node = y.node;
  return out;
}

/** x - log(sum(exp(x))) along `axis`, stable for large logits. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return runOp('logSoftmax', [x], { axis: normalizeAxis('logSoftmax', axis, x.rank) });
}
