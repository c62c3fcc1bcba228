import type { MultiOutputOp, OpName, OpParams } from '../../graph/op-params';
import type { Shape } from '../../graph/shape';

/** The CPU backend computes in float32 (the product) or float64 (the reference for gradient checks). */
export type FloatArray = Float32Array | Float64Array;

export interface CpuTensor {
  readonly data: FloatArray;
  readonly shape: Shape;
}

/** A kernel writes `out.data`, which arrives zero-filled and sized for `out.shape`. */
export type CpuKernel<K extends OpName> = (
  inputs: readonly CpuTensor[],
  out: CpuTensor,
  params: OpParams[K],
) => void;

/** A multi-output op's kernel writes every `outs[k].data` (op-params.ts `outputNames` order). */
export type CpuMultiKernel<K extends OpName> = (
  inputs: readonly CpuTensor[],
  outs: readonly CpuTensor[],
  params: OpParams[K],
) => void;

export type CpuKernels<K extends OpName> = {
  readonly [P in K]: P extends MultiOutputOp ? CpuMultiKernel<P> : CpuKernel<P>;
};

/** Any op's kernel, as the backend and the compiled step call it: with every output. */
export type CpuAnyKernel = (
  inputs: readonly CpuTensor[],
  outs: readonly CpuTensor[],
  params: OpParams[OpName],
) => void;
