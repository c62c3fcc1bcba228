/** Every op's CPU kernel. The annotation makes a missing kernel a compile error. */
import { isMultiOutput, type OpName } from '../../../graph/op-params';
import type { CpuAnyKernel, CpuKernel, CpuKernels } from '../types';
import { channelKernels } from './channel';
import { convKernels } from './conv';
import { elementwiseKernels } from './elementwise';
import { fusedKernels } from './fused';
import { layoutKernels } from './layout';
import { nnKernels } from './nn';
import { optimizerKernels } from './optimizer';
import { reduceKernels } from './reduce';
import { rmspropKernels } from './rmsprop';

export const cpuKernels: CpuKernels<OpName> = {
  ...elementwiseKernels,
  ...reduceKernels,
  ...layoutKernels,
  ...nnKernels,
  ...convKernels,
  ...optimizerKernels,
  ...fusedKernels,
  ...channelKernels,
  ...rmspropKernels,
};

/** Op `op`'s kernel called with every output: a one-output kernel gets the first. */
export function cpuKernelFor(op: OpName): CpuAnyKernel {
  const kernel = cpuKernels[op];
  if (isMultiOutput(op)) return kernel as CpuAnyKernel;
  const single = kernel as CpuKernel<OpName>;
  return (inputs, outs, params) => single(inputs, outs[0], params);
}
