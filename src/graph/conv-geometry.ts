/** Output size and padding of a 2-D window op (conv or pool), shared by op checks and kernels. */
import type { Padding } from './op-params';

export interface WindowGeometry {
  outH: number;
  outW: number;
  /** Zero rows above and columns left of the input (TensorFlow's split: the extra one goes below/right). */
  padTop: number;
  padLeft: number;
}

function axisGeometry(size: number, window: number, stride: number, padding: Padding): [number, number] {
  if (padding === 'valid') return [size >= window ? Math.floor((size - window) / stride) + 1 : 0, 0];
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + window - size, 0);
  return [out, Math.floor(total / 2)];
}

export function windowGeometry(
  inH: number,
  inW: number,
  kH: number,
  kW: number,
  strides: readonly [number, number],
  padding: Padding,
): WindowGeometry {
  const [outH, padTop] = axisGeometry(inH, kH, strides[0], padding);
  const [outW, padLeft] = axisGeometry(inW, kW, strides[1], padding);
  return { outH, outW, padTop, padLeft };
}
