/**
 * 2-D convolution and pooling on NHWC tensors (filters HWIO, as TensorFlow and Keras store them).
 * The backward ops are primitives of their own, and each of them has its own backward, so the set
 * is closed under differentiation: conv2d, its input gradient and its filter gradient are the three
 * faces of one bilinear map, and likewise for pooling. Their shapes and backwards are in
 * defs/conv.ts.
 */
import { InvalidArgumentError } from '../../errors';
import { runOp } from '../engine';
import type { Conv2dParams, Padding, Pool2dParams } from '../op-params';
import type { Shape } from '../shape';
import type { Tensor } from '../tensor';

export interface Conv2dOptions {
  strides?: number | readonly [number, number];
  padding?: Padding;
}

export interface Pool2dOptions {
  /** Defaults to the pool size, as in Keras. */
  strides?: number | readonly [number, number];
  padding?: Padding;
}

function pair(op: string, name: string, v: number | readonly [number, number]): readonly [number, number] {
  const p = typeof v === 'number' ? ([v, v] as const) : v;
  if (p.length !== 2 || !p.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new InvalidArgumentError(
      `${op}: ${name} must be a positive integer or a pair of them, received ${v}`,
    );
  }
  return p;
}

function checkPadding(op: string, padding: string): Padding {
  if (padding !== 'same' && padding !== 'valid') {
    throw new InvalidArgumentError(`${op}: padding must be 'same' or 'valid', received '${padding}'`);
  }
  return padding;
}

/** Checked strides and padding of a convolution op (`op` names it in errors). */
export function conv2dOptions(op: string, options: Conv2dOptions): Conv2dParams {
  return {
    strides: pair(op, 'strides', options.strides ?? 1),
    padding: checkPadding(op, options.padding ?? 'valid'),
  };
}

/** 2-D convolution: x [batch,h,w,in] with filter [kh,kw,in,out] gives [batch,h',w',out]. */
export function conv2d(x: Tensor, filter: Tensor, options: Conv2dOptions = {}): Tensor {
  return runOp('conv2d', [x, filter], conv2dOptions('conv2d', options));
}

export function conv2dBackpropInput(
  dy: Tensor,
  filter: Tensor,
  inputShape: Shape,
  options: Conv2dOptions = {},
): Tensor {
  return runOp('conv2dBackpropInput', [dy, filter], {
    ...conv2dOptions('conv2dBackpropInput', options),
    inputShape: [...inputShape],
  });
}

export function conv2dBackpropFilter(
  x: Tensor,
  dy: Tensor,
  filterShape: Shape,
  options: Conv2dOptions = {},
): Tensor {
  return runOp('conv2dBackpropFilter', [x, dy], {
    ...conv2dOptions('conv2dBackpropFilter', options),
    filterShape: [...filterShape],
  });
}

function poolOptions(
  op: string,
  poolSize: number | readonly [number, number],
  options: Pool2dOptions,
): Pool2dParams {
  const size = pair(op, 'poolSize', poolSize);
  return {
    poolSize: size,
    strides: pair(op, 'strides', options.strides ?? size),
    padding: checkPadding(op, options.padding ?? 'valid'),
  };
}

/** Maximum over each window; windows never count padding. */
export function maxPool2d(
  x: Tensor,
  poolSize: number | readonly [number, number] = 2,
  options: Pool2dOptions = {},
): Tensor {
  return runOp('maxPool2d', [x], poolOptions('maxPool2d', poolSize, options));
}

/** Mean over each window, dividing by the number of real (not padded) elements in it. */
export function avgPool2d(
  x: Tensor,
  poolSize: number | readonly [number, number] = 2,
  options: Pool2dOptions = {},
): Tensor {
  return runOp('avgPool2d', [x], poolOptions('avgPool2d', poolSize, options));
}
