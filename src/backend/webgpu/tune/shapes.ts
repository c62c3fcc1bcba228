/** The matmul products an op call or a step program computes, as the tuner keys them. */
import type { OpName, OpParams } from '../../../graph/op-params';
import type { Program } from '../../../graph/program/program';
import type { Shape } from '../../../graph/shape';
import type { MatmulShape } from '../kernel-types';

/** The ops whose kernels tuning chooses. */
export const TUNED_OPS: ReadonlySet<OpName> = new Set<OpName>(['matmul', 'fusedMatmul']);

/** The product an op computes, or null when it is not a tuned op or has no outputs. */
export function matmulShapeOf(
  op: OpName,
  inputs: readonly Shape[],
  outShape: Shape,
  params: unknown,
): MatmulShape | null {
  if (!TUNED_OPS.has(op) || outShape.length !== 2 || inputs[0]?.length !== 2) return null;
  const { transposeA, transposeB } = params as OpParams['matmul'];
  const [m, n] = outShape;
  const k = transposeA ? inputs[0][0] : inputs[0][1];
  return m * n === 0 ? null : { m, n, k, transposeA, transposeB };
}

/** Every product of the program's nodes. */
export function programMatmulShapes(program: Program): MatmulShape[] {
  return program.nodes.flatMap((node) => {
    const shape = matmulShapeOf(
      node.op,
      node.inputs.map((v) => program.values[v].shape),
      program.values[node.outputs[0]].shape,
      node.params,
    );
    return shape ? [shape] : [];
  });
}
