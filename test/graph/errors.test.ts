/**
 * Bad input fails early with a typed error whose message names the op, what it received and what
 * it expected. Each case lists fragments the message must contain.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '../../src/errors';
import { tensor } from '../../src/graph/engine';
import * as op from '../../src/graph/ops';
import { expectError, image, m23 } from './expect-error';

describe('shape mismatches', () => {
  it('matmul inner dimensions, with and without transposes', () => {
    expectError(() => op.matmul(m23(), m23()), ShapeError, 'matmul', '[2,3]', '3 columns', '2 rows');
    const m32 = tensor([1, 2, 3, 4, 5, 6], [3, 2]);
    expectError(
      () => op.matmul(m23(), m32, { transposeB: true }),
      ShapeError,
      'matmul',
      'b [3,2]^T has 2 rows',
    );
    expectError(
      () => op.matmul(m32, m23(), { transposeA: true }),
      ShapeError,
      'matmul',
      'a [3,2]^T has 3 columns',
    );
    expect(op.matmul(m23(), m23(), { transposeB: true }).shape).toEqual([2, 2]);
  });

  it('broadcasting in binary ops and where', () => {
    expectError(() => op.add(m23(), tensor([1, 2])), ShapeError, 'add', '[2,3]', '[2]', '3 vs 2');
    expectError(() => op.mul(tensor([1, 2, 3], [3, 1]), tensor([1, 2], [2, 1])), ShapeError, 'mul', '[3,1]');
    expectError(() => op.where(m23(), tensor([1, 2]), 0), ShapeError, 'where', '[2,3]', '[2]');
    expectError(() => op.broadcastTo(m23(), [3, 3]), ShapeError, 'broadcastTo', '[2,3]', '[3,3]');
  });

  it('conv2d channels, and the backprop ops given a dy of the wrong shape', () => {
    expectError(
      () => op.conv2d(image([1, 4, 4, 2]), image([3, 3, 3, 1])),
      ShapeError,
      'conv2d',
      '[1,4,4,2]',
      '2 channels',
      'expects 3',
    );
    expectError(
      () => op.conv2dBackpropInput(image([1, 2, 2, 1]), image([1, 1, 1, 1]), [1, 3, 3, 1]),
      ShapeError,
      'conv2dBackpropInput',
      'dy is [1,2,2,1]',
      'expected [1,3,3,1]',
    );
    expectError(
      () => op.conv2dBackpropFilter(image([1, 3, 3, 1]), image([1, 3, 3, 2]), [1, 1, 1, 1]),
      ShapeError,
      'conv2dBackpropFilter',
      '[1,3,3,2]',
      '[1,3,3,1]',
    );
  });

  it('reshape to a different size', () => {
    expectError(() => op.reshape(m23(), [4, 2]), ShapeError, 'reshape', '[2,3]', '6 elements', '[4,2]');
    expectError(() => op.reshape(m23(), [4, -1]), ShapeError, 'reshape', '[2,3]', '[4,-1]');
    expectError(() => op.reshape(m23(), [-1, -1]), InvalidArgumentError, 'reshape', 'only one axis');
  });

  it('concat of shapes that differ off the axis', () => {
    expectError(() => op.concat([m23(), tensor([1, 2], [2, 1])], 0), ShapeError, 'concat', '[2,3]', '[2,1]');
  });

  it('tensor values that do not fill the shape', () => {
    expectError(() => tensor([1, 2, 3], [2, 2]), ShapeError, 'tensor', '3 values', '[2,2]');
    expectError(() => tensor([[1, 2], [3]]), ShapeError, 'tensor', 'ragged');
  });
});

describe('wrong ranks', () => {
  it('matmul of a vector', () => {
    expectError(() => op.matmul(tensor([1, 2, 3]), m23()), ShapeError, 'matmul', 'a [3]', 'b [2,3]');
  });

  it('conv2d and pooling of a matrix', () => {
    expectError(
      () => op.conv2d(m23(), m23()),
      ShapeError,
      'conv2d',
      'x [2,3]',
      '[batch,height,width,channels]',
    );
    expectError(() => op.maxPool2d(m23()), ShapeError, 'maxPool2d', '[2,3]');
    expectError(() => op.avgPool2d(tensor([1])), ShapeError, 'avgPool2d', '[1]');
  });

  it('gather with 2-D indices, scatterAdd with mismatched rows', () => {
    expectError(() => op.gather(m23(), m23()), ShapeError, 'gather', 'indices [2,3]');
    expectError(
      () => op.scatterAdd(m23(), tensor([0]), 3),
      ShapeError,
      'scatterAdd',
      'src [2,3]',
      'indices [1]',
    );
  });

  it('slice with too few begin or size entries', () => {
    expectError(() => op.slice(m23(), [0]), ShapeError, 'slice', 'begin [0]', '2 entries');
    expectError(() => op.slice(m23(), [0, 0], [1]), ShapeError, 'slice', 'size [1]', '2 entries', '[2,3]');
  });
});

describe('invalid axes', () => {
  it.each([
    ['sum', () => op.sum(m23(), 2)],
    ['max', () => op.max(m23(), -3)],
    ['mean', () => op.mean(m23(), 0.5)],
    ['softmax', () => op.softmax(m23(), 2)],
    ['logSoftmax', () => op.logSoftmax(m23(), -3)],
    ['concat', () => op.concat([m23(), m23()], 2)],
    ['moments', () => op.moments(m23(), [0, 3])],
    ['expandDims', () => op.expandDims(m23(), 4)],
  ])('%s', (name, f) => {
    expectError(f, InvalidArgumentError, name, 'out of range', 'rank');
  });

  it('repeated reduction axes and bad permutations', () => {
    expectError(() => op.sum(m23(), [1, -1]), InvalidArgumentError, 'sum', 'same axis twice');
    expectError(() => op.transpose(m23(), [0, 0]), InvalidArgumentError, 'transpose', '[0,0]', '[2,3]');
    expectError(
      () => op.squeeze(m23(), [0]),
      InvalidArgumentError,
      'squeeze',
      'axis 0',
      'size 2',
      'expected 1',
    );
  });
});
