/**
 * sum and max over any set of axes: one thread per output for short reductions or many outputs,
 * one workgroup per output with a tree reduction inside for few long ones.
 */
import { type Shape, sizeOf, stridesOf } from '../../../graph/shape';
import type { WebGPUKernel, WebGPUKernels } from '../kernel-types';
import { checkRank } from '../params';
import { SHADERS } from '../shaders';
import { mergeAxes } from './layout';

/** Threads per reduction workgroup: a power of two (the tree halves it). */
const REDUCE_WG = 64;
/**
 * Reductions this short, or with this many outputs, run one thread per output (reduce-serial.wgsl):
 * its plain loop beats the tree's barriers, which CPU emulations pay dearly for, unless a few
 * outputs would leave most threads idle through a long loop.
 */
const SERIAL_MAX_LENGTH = 1024;
const SERIAL_MIN_OUTPUTS = 64;

/** Whether a reduction of `length` terms into `outputs` results runs one thread per output. */
export function serialReduction(length: number, outputs: number): boolean {
  return length <= SERIAL_MAX_LENGTH || outputs >= SERIAL_MIN_OUTPUTS;
}

function reduction(op: 'sum' | 'max', code: number): WebGPUKernel<'sum' | 'max'> {
  return ([x], outShape, { axes }) => {
    checkRank(op, x.shape);
    const outputs = sizeOf(outShape);
    if (outputs === 0) return [];
    const strides = stridesOf(x.shape);
    const reduced = [...axes].sort((p, q) => p - q);
    const kept = x.shape.map((_, i) => i).filter((i) => !reduced.includes(i));
    const pick = (dims: readonly number[], from: Shape | readonly number[]) => dims.map((d) => from[d]);
    const [keptShape, keptStrides] = mergeAxes(pick(kept, x.shape), pick(kept, strides));
    const [redShape, redStrides] = mergeAxes(pick(reduced, x.shape), pick(reduced, strides));
    const length = sizeOf(redShape);
    const params = {
      outputs,
      length,
      keptRank: keptShape.length,
      reducedRank: redShape.length,
      keptShape,
      keptStrides,
      reducedShape: redShape,
      reducedStrides: redStrides,
    };
    const serial = serialReduction(length, outputs);
    const simple = keptShape.length <= 1 && redShape.length <= 1 ? 1 : 0;
    return [
      (serial ? SHADERS.reduceSerial : SHADERS.reduce).dispatch({
        inputs: [x.buffer],
        params,
        constants: { OP: code, WG: REDUCE_WG, SIMPLE: simple },
        workgroups: serial ? Math.ceil(outputs / REDUCE_WG) : outputs,
      }),
    ];
  };
}

export const reduceKernels: WebGPUKernels<'sum' | 'max'> = {
  sum: reduction('sum', 0),
  max: reduction('max', 1),
};
