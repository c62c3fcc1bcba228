/** Neural-network ops: matmul, softmax and log-softmax over an axis, dropout, batch normalisation. */
import { fmtShape, InvalidArgumentError, ShapeError } from '../../errors';
import { registerOps, runOp } from '../engine';
import type { OpDefs } from '../op-def';
import { dropoutThreshold } from '../random';
import { normalizeAxis } from '../shape';
import { Tensor } from '../tensor';
import { add, div, mul, sub } from './binary';
import { sum } from './reduce';
import { exp, sqrt } from './unary';

export const nnOps: OpDefs<'matmul' | 'softmax' | 'logSoftmax' | 'dropout'> = registerOps({
  matmul: {
    arity: 2,
    shape: ([a, b], { transposeA, transposeB }) => {
      if (a.length !== 2 || b.length !== 2) {
        throw new ShapeError(`matmul: expected two matrices, received a ${fmtShape(a)} and b ${fmtShape(b)}`);
      }
      const [m, ka] = transposeA ? [a[1], a[0]] : [a[0], a[1]];
      const [kb, n] = transposeB ? [b[1], b[0]] : [b[0], b[1]];
      if (ka !== kb) {
        throw new ShapeError(
          `matmul: inner dimensions differ: a ${fmtShape(a)}${transposeA ? '^T' : ''} has ${ka} columns, ` +
            `b ${fmtShape(b)}${transposeB ? '^T' : ''} has ${kb} rows`,
        );
      }
      return [m, n];
    },
    // C = op(A) op(B); each case below is dC/dA and dC/dB written for the stored layout.
    backward: ({ dy, inputs: [a, b], params: { transposeA: tA, transposeB: tB }, needs }) => {
      const da = !needs[0]
        ? null
        : tA
          ? matmul(b, dy, { transposeA: tB, transposeB: true })
          : matmul(dy, b, { transposeB: !tB });
      const db = !needs[1]
        ? null
        : tB
          ? matmul(dy, a, { transposeA: true, transposeB: tA })
          : matmul(a, dy, { transposeA: !tA });
      return [da, db];
    },
  },
  softmax: {
    arity: 1,
    shape: ([x]) => x,
    // The vector-Jacobian product of softmax, valid under any upstream loss:
    // dx = y * (dy - sum(dy * y, axis)).
    backward: ({ dy, output: y, params: { axis } }) => [mul(y, sub(dy, sum(mul(dy, y), axis, true)))],
  },
  logSoftmax: {
    arity: 1,
    shape: ([x]) => x,
    // y = x - logsumexp(x), so dx = dy - softmax(x) * sum(dy, axis).
    backward: ({ dy, output: y, params: { axis } }) => [sub(dy, mul(exp(y), sum(dy, axis, true)))],
  },
  // y = x * mask / (1 - rate) with a mask that is a pure function of (seed, step, index), so the
  // backward applies the very same mask to dy: no mask is stored.
  dropout: {
    arity: 1,
    shape: ([x]) => x,
    backward: ({ dy, params }) => [runOp('dropout', [dy], params)],
  },
});

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

export interface DropoutOptions {
  /** The run's seed; the mask is a pure function of (seed, step, element index). */
  seed: number;
  /** The training step, so each step draws a fresh mask. */
  step: number;
}

/**
 * Inverted dropout: zeroes each element with probability `rate` and scales the rest by
 * 1 / (1 - rate), so the expectation is unchanged and inference needs no rescaling.
 */
export function dropout(x: Tensor, rate: number, { seed, step }: DropoutOptions): Tensor {
  if (!(rate >= 0 && rate < 1)) {
    throw new InvalidArgumentError(`dropout: rate must be in [0, 1), received ${rate}`);
  }
  if (!Number.isInteger(seed) || !Number.isInteger(step)) {
    throw new InvalidArgumentError(`dropout: seed and step must be integers, received ${seed} and ${step}`);
  }
  if (dropoutThreshold(rate) === 0) return x;
  return runOp('dropout', [x], { rate, seed, step });
}

/**
 * Batch normalisation with given statistics: (x - mean) / sqrt(variance + epsilon) * gamma + beta.
 * mean, variance, gamma and beta broadcast against x (keep the reduced axes as 1, or pass 1-D
 * per-channel tensors for a channels-last x).
 */
export function batchNorm(
  x: Tensor,
  mean: Tensor,
  variance: Tensor,
  gamma: Tensor | null,
  beta: Tensor | null,
  epsilon = 1e-3,
): Tensor {
  if (!(epsilon > 0)) {
    throw new InvalidArgumentError(`batchNorm: epsilon must be positive, received ${epsilon}`);
  }
  let y = div(sub(x, mean), sqrt(add(variance, epsilon)));
  if (gamma) y = mul(y, gamma);
  if (beta) y = add(y, beta);
  return y;
}
