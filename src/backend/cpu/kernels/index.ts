/** Every op's CPU kernel. The annotation makes a missing kernel a compile error. */
import type { OpName } from '../../../graph/op-params';
import type { CpuKernels } from '../types';
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
