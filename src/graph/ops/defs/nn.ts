/** Shapes and backwards of the neural-network ops (../nn.ts). */
import { fmtShape, ShapeError } from '../../../errors';
import type { OpDefs } from '../../op-def';
import { exp, mul, sub } from '../elementwise';
import { matmul } from '../nn';
import { sum } from '../reduce';

export const nnOps: OpDefs<'matmul' | 'softmax' | 'logSoftmax'> = {
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
};
