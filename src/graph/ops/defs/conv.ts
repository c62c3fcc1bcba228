/** Shapes and backwards of the convolution and pooling ops (../conv.ts). */
import { fmtShape, ShapeError } from '../../../errors';
import { windowGeometry } from '../../conv-geometry';
import { runOp } from '../../engine';
import type { OpDefs } from '../../op-def';
import type { Conv2dParams, Padding, Pool2dParams, WindowOp } from '../../op-params';
import { type Shape, shapesEqual } from '../../shape';
import { conv2d, conv2dBackpropFilter, conv2dBackpropInput } from '../conv';

function conv2dShape(op: string, x: Shape, w: Shape, { strides, padding }: Conv2dParams): number[] {
  if (x.length !== 4 || w.length !== 4) {
    throw new ShapeError(
      `${op}: expected x [batch,height,width,channels] and filter [kh,kw,in,out], received x ${fmtShape(x)} and filter ${fmtShape(w)}`,
    );
  }
  if (x[3] !== w[2]) {
    throw new ShapeError(
      `${op}: x ${fmtShape(x)} has ${x[3]} channels but the filter ${fmtShape(w)} expects ${w[2]}`,
    );
  }
  const g = windowGeometry(x[1], x[2], w[0], w[1], strides, padding);
  expectWindowFits(op, 'filter', x, [w[0], w[1]], padding, g);
  return [x[0], g.outH, g.outW, w[3]];
}

/** A 'valid' window larger than the image would give an empty output: almost always a mistake. */
function expectWindowFits(
  op: string,
  what: string,
  x: Shape,
  window: readonly [number, number],
  padding: Padding,
  g: { outH: number; outW: number },
): void {
  if (x[1] > 0 && x[2] > 0 && (g.outH === 0 || g.outW === 0)) {
    throw new ShapeError(
      `${op}: the ${window[0]}x${window[1]} ${what} does not fit in the ${x[1]}x${x[2]} input ${fmtShape(x)} ` +
        `with padding '${padding}' (use 'same', or a smaller window)`,
    );
  }
}

function poolShape(op: string, x: Shape, { poolSize, strides, padding }: Pool2dParams): number[] {
  if (x.length !== 4)
    throw new ShapeError(`${op}: expected x [batch,height,width,channels], received ${fmtShape(x)}`);
  const g = windowGeometry(x[1], x[2], poolSize[0], poolSize[1], strides, padding);
  expectWindowFits(op, 'pool window', x, poolSize, padding, g);
  return [x[0], g.outH, g.outW, x[3]];
}

function expectShape(op: string, what: string, got: Shape, want: Shape): void {
  if (!shapesEqual(got, want)) {
    throw new ShapeError(`${op}: ${what} is ${fmtShape(got)}, expected ${fmtShape(want)}`);
  }
}

const convParams = ({ strides, padding }: Conv2dParams): Conv2dParams => ({ strides, padding });
const poolParams = ({ poolSize, strides, padding }: Pool2dParams): Pool2dParams => ({
  poolSize,
  strides,
  padding,
});

export const convOps: OpDefs<WindowOp> = {
  conv2d: {
    arity: 2,
    shape: ([x, w], params) => conv2dShape('conv2d', x, w, params),
    backward: ({ dy, inputs: [x, w], params, needs }) => [
      needs[0] ? conv2dBackpropInput(dy, w, x.shape, params) : null,
      needs[1] ? conv2dBackpropFilter(x, dy, w.shape, params) : null,
    ],
  },
  // dx = conv2dBackpropInput(dy, w): the adjoint of conv2d(., w).
  conv2dBackpropInput: {
    arity: 2,
    shape: ([dy, w], params) => {
      expectShape(
        'conv2dBackpropInput',
        'dy',
        dy,
        conv2dShape('conv2dBackpropInput', params.inputShape, w, params),
      );
      return params.inputShape;
    },
    backward: ({ dy: g, inputs: [dy, w], params, needs }) => [
      needs[0] ? conv2d(g, w, convParams(params)) : null,
      needs[1] ? conv2dBackpropFilter(g, dy, w.shape, params) : null,
    ],
  },
  // dw = conv2dBackpropFilter(x, dy): the adjoint of conv2d(x, .).
  conv2dBackpropFilter: {
    arity: 2,
    shape: ([x, dy], params) => {
      expectShape(
        'conv2dBackpropFilter',
        'dy',
        dy,
        conv2dShape('conv2dBackpropFilter', x, params.filterShape, params),
      );
      return params.filterShape;
    },
    backward: ({ dy: g, inputs: [x, dy], params, needs }) => [
      needs[0] ? conv2dBackpropInput(dy, g, x.shape, params) : null,
      needs[1] ? conv2d(x, g, convParams(params)) : null,
    ],
  },
  maxPool2d: {
    arity: 1,
    shape: ([x], params) => poolShape('maxPool2d', x, params),
    backward: ({ dy, inputs: [x], params }) => [runOp('maxPool2dGrad', [x, dy], poolParams(params))],
  },
  // maxPool2dGrad(x, dy): each dy value goes to the first maximum of its window in x.
  maxPool2dGrad: {
    arity: 2,
    shape: ([x, dy], params) => {
      expectShape('maxPool2dGrad', 'dy', dy, poolShape('maxPool2dGrad', x, params));
      return x;
    },
    backward: ({ dy: g, inputs: [x], params }) => [
      null,
      runOp('maxPool2dGather', [x, g], poolParams(params)),
    ],
  },
  // maxPool2dGather(x, g): for each window, the value of g where x has its first maximum.
  maxPool2dGather: {
    arity: 2,
    shape: ([x, g], params) => {
      expectShape('maxPool2dGather', 'g', g, x);
      return poolShape('maxPool2dGather', x, params);
    },
    backward: ({ dy, inputs: [x], params }) => [null, runOp('maxPool2dGrad', [x, dy], poolParams(params))],
  },
  avgPool2d: {
    arity: 1,
    shape: ([x], params) => poolShape('avgPool2d', x, params),
    backward: ({ dy, inputs: [x], params }) => [
      runOp('avgPool2dGrad', [dy], { ...poolParams(params), inputShape: x.shape }),
    ],
  },
  avgPool2dGrad: {
    arity: 1,
    shape: ([dy], params) => {
      expectShape('avgPool2dGrad', 'dy', dy, poolShape('avgPool2dGrad', params.inputShape, params));
      return params.inputShape;
    },
    backward: ({ dy: g, params }) => [runOp('avgPool2d', [g], poolParams(params))],
  },
};
