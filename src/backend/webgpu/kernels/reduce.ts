/**
 * sum and max over any set of axes: one workgroup per output element with a tree reduction inside,
 * or one thread per output for short reductions.
 */
import { type Shape, sizeOf, stridesOf } from '../../../graph/shape';
import type { WebGPUKernel, WebGPUKernels } from '../kernel-types';
import { checkRank, ParamWords } from '../params';
import { SHADERS } from '../shaders';

/** Threads per reduction workgroup: a power of two (the tree halves it). */
const REDUCE_WG = 64;
/** Reductions this short, or with this many outputs, run one thread per output (reduce-serial.wgsl). */
const SERIAL_MAX_LENGTH = 64;
const SERIAL_MIN_OUTPUTS = 1024;

function reduction(op: 'sum' | 'max', code: number): WebGPUKernel<'sum' | 'max'> {
  return ([x], outShape, { axes }) => {
    checkRank(op, x.shape);
    const outputs = sizeOf(outShape);
    if (outputs === 0) return [];
    const strides = stridesOf(x.shape);
    const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    const pick = (dims: readonly number[], from: Shape | readonly number[]) => dims.map((d) => from[d]);
    const params = new ParamWords()
      .u(0, outputs)
      .u(1, sizeOf(pick(axes, x.shape)))
      .u(2, kept.length)
      .list(3, pick(kept, x.shape))
      .list(11, pick(kept, strides))
      .u(19, axes.length)
      .list(20, pick(axes, x.shape))
      .list(28, pick(axes, strides));
    // A workgroup per output only pays when the reduction is long and outputs are few.
    const serial = sizeOf(pick(axes, x.shape)) <= SERIAL_MAX_LENGTH || outputs >= SERIAL_MIN_OUTPUTS;
    return [
      {
        shader: serial ? SHADERS.reduceSerial : SHADERS.reduce,
        constants: { OP: code, WG: REDUCE_WG },
        inputs: [x.buffer],
        params,
        workgroups: serial ? Math.ceil(outputs / REDUCE_WG) : outputs,
      },
    ];
  };
}

export const reduceKernels: WebGPUKernels<'sum' | 'max'> = {
  sum: reduction('sum', 0),
  max: reduction('max', 1),
};
