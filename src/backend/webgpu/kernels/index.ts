/** Every op's WebGPU kernel. The annotation makes a missing kernel a compile error. */
import type { OpName } from '../../../graph/op-params';
import type { WebGPUKernels } from '../kernel-types';
import { channelKernels } from './channel';
import { convKernels } from './conv';
import { elementwiseKernels } from './elementwise';
import { fusedKernels } from './fused';
import { layoutKernels } from './layout';
import { nnKernels } from './nn';
import { optimizerKernels } from './optimizer';
import { reduceKernels } from './reduce';

export const webgpuKernels: WebGPUKernels<OpName> = {
  ...elementwiseKernels,
  ...reduceKernels,
  ...layoutKernels,
  ...nnKernels,
  ...convKernels,
  ...optimizerKernels,
  ...fusedKernels,
  ...channelKernels,
};
