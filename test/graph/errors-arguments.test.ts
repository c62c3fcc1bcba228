/**
 * Invalid scalar arguments, invalid shapes and misuse of autodiff and the engine: typed errors whose
 * messages name the op, the value received and what was expected.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import { BackendError, InvalidArgumentError, ShapeError } from '../../src/errors';
import { valueAndGrad } from '../../src/graph/autodiff';
import { runOp, tensor, withBackend } from '../../src/graph/engine';
import * as op from '../../src/graph/ops';
import { expectError, image, m23 } from './expect-error';

describe('invalid arguments', () => {
  it.each([-0.1, 1, Number.NaN, 1.5])('dropout rate %f', (rate) => {
    expectError(
      () => op.dropout(m23(), rate, { seed: 1, step: 0 }),
      InvalidArgumentError,
      'dropout',
      `received ${rate}`,
      '[0, 1)',
    );
  });

  it('dropout seed and step must be integers', () => {
    expectError(() => op.dropout(m23(), 0.5, { seed: 1.5, step: 0 }), InvalidArgumentError, 'dropout', '1.5');
  });

  it('conv and pool options', () => {
    const x = image([1, 4, 4, 1]);
    const w = image([2, 2, 1, 1]);
    expectError(
      () => op.conv2d(x, w, { strides: 0 }),
      InvalidArgumentError,
      'conv2d',
      'strides',
      'received 0',
    );
    expectError(
      () => op.conv2d(x, w, { padding: 'full' as 'same' }),
      InvalidArgumentError,
      'conv2d',
      "'full'",
    );
    expectError(() => op.maxPool2d(x, 0), InvalidArgumentError, 'maxPool2d', 'poolSize', 'received 0');
    expectError(() => op.avgPool2d(x, [1.5, 2]), InvalidArgumentError, 'avgPool2d', 'poolSize', '1.5');
    expectError(
      () => op.avgPool2d(x, 2, { strides: -1 }),
      InvalidArgumentError,
      'avgPool2d',
      'strides',
      '-1',
    );
  });

  it("a 'valid' window larger than the input", () => {
    expectError(
      () => op.conv2d(image([1, 2, 2, 1]), image([3, 3, 1, 1])),
      ShapeError,
      'conv2d',
      '3x3 filter',
      '[1,2,2,1]',
      "'valid'",
    );
    expectError(() => op.maxPool2d(image([1, 2, 5, 1]), 3), ShapeError, 'maxPool2d', '3x3', '2x5');
    // 'same' pads instead, so the same window is fine there.
    expect(op.maxPool2d(image([1, 2, 5, 1]), 3, { padding: 'same' }).shape).toEqual([1, 1, 2, 1]);
  });

  it('gather and scatterAdd indices outside the rows', () => {
    expectError(
      () => op.gather(m23(), tensor([0, 2])),
      InvalidArgumentError,
      'gather',
      'index 2',
      '[0, 2)',
      '[2,3]',
    );
    expectError(() => op.gather(m23(), tensor([-1])), InvalidArgumentError, 'gather', 'index -1');
    expectError(() => op.gather(m23(), tensor([0.5])), InvalidArgumentError, 'gather', 'index 0.5');
    expectError(
      () => op.scatterAdd(m23(), tensor([0, 5]), 3),
      InvalidArgumentError,
      'scatterAdd',
      'index 5',
      '[3,3]',
    );
  });

  it('slice and pad extents', () => {
    expectError(() => op.slice(m23(), [1, 2], [2, 1]), InvalidArgumentError, 'slice', 'axis 0', 'exceeds 2');
    expectError(() => op.slice(m23(), [0.5, 0], [1, 1]), InvalidArgumentError, 'slice', 'integers', '0.5');
    expectError(() => op.pad(m23(), [[1, 0]]), InvalidArgumentError, 'pad', '2 axes', '[2,3]');
    expectError(
      () =>
        op.pad(m23(), [
          [0.5, 0],
          [0, 0],
        ]),
      InvalidArgumentError,
      'pad',
      'integers',
      '0.5',
    );
    expectError(
      () =>
        op.pad(m23(), [
          [-1, 0],
          [0, 0],
        ]),
      InvalidArgumentError,
      'pad',
      '-1',
    );
  });

  it('other scalar parameters', () => {
    expectError(() => op.clip(m23(), 2, 1), InvalidArgumentError, 'clip', 'min 2', 'max 1');
    expectError(() => op.leakyRelu(m23(), Number.NaN), InvalidArgumentError, 'leakyRelu', 'alpha', 'NaN');
    expectError(() => op.oneHot(tensor([1]), 0), InvalidArgumentError, 'oneHot', 'depth', 'received 0');
    expectError(() => op.batchNorm(m23(), m23(), m23(), null, null, 0), InvalidArgumentError, 'epsilon');
    expectError(() => op.mean(op.zeros([0, 2]), 0), InvalidArgumentError, 'mean', 'empty', '[0,2]');
    expectError(() => op.max(op.zeros([0, 2]), 0), InvalidArgumentError, 'max', 'empty', '[0,2]');
  });
});

describe('autodiff and the engine', () => {
  it('valueAndGrad of a non-scalar function', () => {
    expectError(
      () => valueAndGrad((x) => op.mul(x, 2))(m23()),
      ShapeError,
      'valueAndGrad',
      'scalar',
      '[2,3]',
    );
  });

  it('an op given the wrong number of inputs', () => {
    expectError(() => runOp('add', [m23()], {}), ShapeError, 'add', 'expected 2 inputs', 'received 1');
  });

  it('inputs on two backends', () => {
    const other = withBackend(new CpuBackend('float64'), () => tensor([1]));
    expectError(() => op.add(m23(), other), BackendError, 'add', 'CPU (float32)', 'CPU (float64)');
  });
});

describe('invalid shapes', () => {
  it.each([
    ['broadcastTo', () => op.broadcastTo(tensor([1]), [2.5])],
    ['broadcastTo', () => op.broadcastTo(tensor([1]), [-1])],
    ['fill', () => op.zeros([-1])],
    ['fill', () => op.fill([1.5], 1)],
    ['tensor', () => tensor([1], [Number.NaN])],
  ])('%s', (name, f) => {
    expectError(f, InvalidArgumentError, name, 'non-negative integers');
  });
});
