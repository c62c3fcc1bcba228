// The three faces of conv2d for the CPU backend's WebAssembly conv tests (wasm-conv.test.ts,
// wasm-conv-threads.test.ts): operands of the right sizes and the TypeScript twin through the
// kernel table.
import { convKernels } from '../../src/backend/cpu/kernels/conv';
import { windowGeometry } from '../../src/graph/conv-geometry';
import type { Conv2dParams } from '../../src/graph/op-params';
import type { Shape } from '../../src/graph/shape';

export type Face = 'conv2d' | 'conv2dBackpropInput' | 'conv2dBackpropFilter';
export const FACES: readonly Face[] = ['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter'];

const size = (s: Shape) => s.reduce((a, b) => a * b, 1);

/** The face's operand and output shapes: (x, w) -> y, (dy, w) -> dx, (x, dy) -> dw. */
function shapesOf(op: Face, x: Shape, w: Shape, params: Conv2dParams) {
  const g = windowGeometry(x[1], x[2], w[0], w[1], params.strides, params.padding);
  const y: Shape = [x[0], g.outH, g.outW, w[3]];
  const out = { conv2d: y, conv2dBackpropInput: x, conv2dBackpropFilter: w }[op];
  const inputs = { conv2d: [x, w], conv2dBackpropInput: [y, w], conv2dBackpropFilter: [x, y] }[op];
  return { out, inputs };
}

/** Elements of the face's output. */
export function outputSize(op: Face, x: Shape, w: Shape, params: Conv2dParams): number {
  return size(shapesOf(op, x, w, params).out);
}

/**
 * One face of the conv through the kernel table: with `Float64Array`, the twin summing in float64
 * (the reference: the float32 twin's own running sums drift by more than 1e-5 over 270,000 positions).
 */
export function convFace(
  op: Face,
  a: Float32Array,
  b: Float32Array,
  x: Shape,
  w: Shape,
  params: Conv2dParams,
  Type: Float32ArrayConstructor | Float64ArrayConstructor = Float32Array,
): Float32Array {
  const shapes = shapesOf(op, x, w, params);
  const out = { data: new Type(size(shapes.out)), shape: shapes.out };
  const inputs = [
    { data: Type.from(a), shape: shapes.inputs[0] },
    { data: Type.from(b), shape: shapes.inputs[1] },
  ];
  const all = { ...params, inputShape: x, filterShape: w };
  (convKernels[op] as (i: typeof inputs, o: typeof out, p: typeof all) => void)(inputs, out, all);
  return Float32Array.from(out.data);
}

/** Random operands of the right sizes for a face, from `random`. */
export const convOperands =
  (random: (size: number) => Float32Array) =>
  (op: Face, x: Shape, w: Shape, params: Conv2dParams): [Float32Array, Float32Array] => {
    const [a, b] = shapesOf(op, x, w, params).inputs;
    return [random(size(a)), random(size(b))];
  };
