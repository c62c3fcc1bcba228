/** The products, convolutions and reductions an op call or a step program computes, as the tuner keys them. */
import type { OpName, OpParams } from '../../../graph/op-params';
import type { Program } from '../../../graph/program/program';
import { type Shape, sizeOf } from '../../../graph/shape';
import type { ConvOp, MatmulShape, ReduceShape, TunedShape } from '../kernel-types';
import { type ConvCallParams, convShapeOf } from '../kernels/conv-candidates';
import { MIN_TUNED_TERMS } from '../kernels/reduce-candidates';
import {
  axesReduceShape,
  channelReduceShape,
  reduceExtent,
  softmaxReduceShape,
} from '../kernels/reduce-shapes';

const MATMUL_OPS: ReadonlySet<OpName> = new Set<OpName>(['matmul', 'fusedMatmul']);
/** The conv ops and the kernel mode each runs (fusedConv2d is the forward with its epilogue). */
const CONV_OPS: ReadonlyMap<OpName, ConvOp> = new Map<OpName, ConvOp>([
  ['conv2d', 'conv2d'],
  ['fusedConv2d', 'conv2d'],
  ['conv2dBackpropInput', 'conv2dBackpropInput'],
  ['conv2dBackpropFilter', 'conv2dBackpropFilter'],
]);

const REDUCE_OPS: ReadonlySet<OpName> = new Set<OpName>([
  'sum',
  'max',
  'channelMoments',
  'channelSums',
  'softmax',
  'logSoftmax',
]);

/** The ops whose kernels tuning chooses. */
export const TUNED_OPS: ReadonlySet<OpName> = new Set<OpName>([
  ...MATMUL_OPS,
  ...CONV_OPS.keys(),
  ...REDUCE_OPS,
]);

/** The product an op computes, or null when it is not a matmul op or has no outputs. */
export function matmulShapeOf(
  op: OpName,
  inputs: readonly Shape[],
  outShape: Shape,
  params: unknown,
): MatmulShape | null {
  if (!MATMUL_OPS.has(op) || outShape.length !== 2 || inputs[0]?.length !== 2) return null;
  const { transposeA, transposeB } = params as OpParams['matmul'];
  const [m, n] = outShape;
  const k = transposeA ? inputs[0][0] : inputs[0][1];
  return m * n === 0 ? null : { m, n, k, transposeA, transposeB };
}

/**
 * The reduction a reduce op computes, as its kernels key it, or null when it is not one or has
 * fewer than MIN_TUNED_TERMS terms (not worth timing).
 */
export function reduceShapeOf(op: OpName, inputs: readonly Shape[], params: unknown): ReduceShape | null {
  if (!REDUCE_OPS.has(op)) return null;
  let shape: ReduceShape;
  if (op === 'sum' || op === 'max') {
    shape = axesReduceShape(op, inputs[0], (params as OpParams['sum']).axes);
  } else if (op === 'softmax' || op === 'logSoftmax') {
    shape = softmaxReduceShape(op, inputs[0], (params as OpParams['softmax']).axis);
  } else {
    const x = inputs[op === 'channelMoments' ? 0 : 1];
    shape = channelReduceShape(op as 'channelMoments', x, (params as OpParams['channelMoments']).axis);
  }
  const { outputs, length } = reduceExtent(shape);
  return outputs * length >= MIN_TUNED_TERMS ? shape : null;
}

/** What tuning would time for an op call, or null when its kernel is not tuned or it has no outputs. */
export function tunedShapeOf(
  op: OpName,
  inputs: readonly Shape[],
  outShape: Shape,
  params: unknown,
): TunedShape | null {
  if (REDUCE_OPS.has(op)) return reduceShapeOf(op, inputs, params);
  const mode = CONV_OPS.get(op);
  if (!mode) return matmulShapeOf(op, inputs, outShape, params);
  if (sizeOf(outShape) === 0 || inputs.length < 2) return null;
  return convShapeOf(
    mode,
    inputs.map((shape) => ({ shape })),
    params as ConvCallParams,
  );
}

/** Every tuned kernel's shape among the program's nodes. */
export function programTunedShapes(program: Program): TunedShape[] {
  return program.nodes.flatMap((node) => {
    const shape = tunedShapeOf(
      node.op,
      node.inputs.map((v) => program.values[v].shape),
      program.values[node.outputs[0]].shape,
      node.params,
    );
    return shape ? [shape] : [];
  });
}
