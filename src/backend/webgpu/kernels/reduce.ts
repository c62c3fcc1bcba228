/**
 * sum and max over any set of axes: one thread per output for short reductions or many outputs,
 * one workgroup per output with a tree reduction inside for few long ones, or what tuning chose
 * (the kernels and their choice: reduce-candidates.ts).
 */
import type { WebGPUKernel, WebGPUKernels } from '../kernel-types';
import { checkRank } from '../params';
import { chooseReduce, reduceDispatches } from './reduce-candidates';
import { axesReduceShape } from './reduce-shapes';

function reduction(op: 'sum' | 'max'): WebGPUKernel<'sum' | 'max'> {
  return ([x], _outShape, { axes }, env) => {
    checkRank(op, x.shape);
    const shape = axesReduceShape(op, x.shape, axes);
    return reduceDispatches(chooseReduce(env, shape), shape, [x.buffer]);
  };
}

export const reduceKernels: WebGPUKernels<'sum' | 'max'> = {
  sum: reduction('sum'),
  max: reduction('max'),
};
