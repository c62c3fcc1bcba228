/**
 * Gradient checks of conv2d and pooling, and of their backward primitives differentiated as
 * functions in their own right (they are what second derivatives and traced backward passes run).
 */
import { describe, it } from 'vitest';
import { windowGeometry } from '../../../src/graph/conv-geometry';
import { runOp } from '../../../src/graph/engine';
import type { Conv2dParams, Pool2dParams } from '../../../src/graph/op-params';
import {
  avgPool2d,
  conv2d,
  conv2dBackpropFilter,
  conv2dBackpropInput,
  maxPool2d,
} from '../../../src/graph/ops';
import type { Shape } from '../../../src/graph/shape';
import { checkGradients, Draw, nextSeed } from '../gradcheck';

interface ConvCase {
  x: Shape;
  w: Shape;
  params: Conv2dParams;
}

// Odd and even sizes, strides 1, 2 and mixed, both paddings; 'same' with an even kernel or stride 2
// on an even size pads unevenly (the extra row goes below), which is the case most often wrong.
const convCases: ConvCase[] = [
  { x: [2, 5, 5, 3], w: [3, 3, 3, 2], params: { strides: [1, 1], padding: 'valid' } },
  { x: [2, 5, 5, 3], w: [3, 3, 3, 2], params: { strides: [1, 1], padding: 'same' } },
  { x: [1, 5, 7, 2], w: [3, 3, 2, 2], params: { strides: [2, 2], padding: 'valid' } },
  { x: [1, 5, 7, 2], w: [3, 3, 2, 2], params: { strides: [2, 2], padding: 'same' } },
  { x: [1, 6, 6, 2], w: [2, 2, 2, 3], params: { strides: [2, 2], padding: 'same' } },
  { x: [2, 4, 5, 1], w: [3, 2, 1, 2], params: { strides: [1, 2], padding: 'same' } },
  // The last row and column are never read: their input gradient must be exactly zero.
  { x: [1, 6, 6, 2], w: [3, 3, 2, 1], params: { strides: [2, 2], padding: 'valid' } },
  // Stride larger than the filter: most inputs are skipped.
  { x: [1, 5, 5, 1], w: [1, 1, 1, 2], params: { strides: [3, 3], padding: 'same' } },
  // A filter wider than the padded input: some taps miss the image on both sides.
  { x: [2, 1, 3, 2], w: [3, 5, 2, 2], params: { strides: [1, 2], padding: 'same' } },
];

interface PoolCase {
  x: Shape;
  params: Pool2dParams;
}

const poolCases: PoolCase[] = [
  { x: [2, 4, 4, 2], params: { poolSize: [2, 2], strides: [2, 2], padding: 'valid' } },
  { x: [1, 5, 5, 2], params: { poolSize: [2, 2], strides: [2, 2], padding: 'valid' } },
  { x: [1, 5, 5, 2], params: { poolSize: [2, 2], strides: [2, 2], padding: 'same' } },
  { x: [1, 5, 6, 1], params: { poolSize: [3, 3], strides: [2, 2], padding: 'same' } },
  { x: [2, 4, 5, 2], params: { poolSize: [3, 2], strides: [1, 1], padding: 'valid' } },
  { x: [1, 5, 5, 1], params: { poolSize: [1, 1], strides: [3, 3], padding: 'same' } },
];

const label = ({ params }: { params: Conv2dParams | Pool2dParams }): string =>
  `strides ${params.strides.join('x')}, ${params.padding}` +
  ('poolSize' in params ? `, pool ${params.poolSize.join('x')}` : '');

function convOutShape({ x, w, params }: ConvCase): Shape {
  const g = windowGeometry(x[1], x[2], w[0], w[1], params.strides, params.padding);
  return [x[0], g.outH, g.outW, w[3]];
}

function poolOutShape({ x, params }: PoolCase): Shape {
  const g = windowGeometry(
    x[1],
    x[2],
    params.poolSize[0],
    params.poolSize[1],
    params.strides,
    params.padding,
  );
  return [x[0], g.outH, g.outW, x[3]];
}

export function convGradientCases(): void {
  describe('conv2d and its backward primitives', () => {
    for (const c of convCases) {
      const name = `x ${c.x}, w ${c.w}, ${label(c)}`;
      it(`conv2d: ${name}`, () => {
        const d = new Draw(nextSeed());
        checkGradients((x, w) => conv2d(x, w, c.params), [d.uniform(c.x), d.uniform(c.w)], { seed: d.seed });
      });

      it(`conv2dBackpropInput(dy, w): ${name}`, () => {
        const d = new Draw(nextSeed());
        checkGradients(
          (dy, w) => conv2dBackpropInput(dy, w, c.x, c.params),
          [d.uniform(convOutShape(c)), d.uniform(c.w)],
          { seed: d.seed },
        );
      });

      it(`conv2dBackpropFilter(x, dy): ${name}`, () => {
        const d = new Draw(nextSeed());
        checkGradients(
          (x, dy) => conv2dBackpropFilter(x, dy, c.w, c.params),
          [d.uniform(c.x), d.uniform(convOutShape(c))],
          { seed: d.seed },
        );
      });
    }
  });

  describe('pooling and its backward primitives', () => {
    for (const c of poolCases) {
      const name = `x ${c.x}, ${label(c)}`;
      const { poolSize, strides, padding } = c.params;

      it(`maxPool2d: ${name}`, () => {
        const d = new Draw(nextSeed());
        checkGradients((x) => maxPool2d(x, poolSize, { strides, padding }), [d.distinct(c.x)], {
          seed: d.seed,
        });
      });

      it(`avgPool2d: ${name}`, () => {
        const d = new Draw(nextSeed());
        checkGradients((x) => avgPool2d(x, poolSize, { strides, padding }), [d.uniform(c.x)], {
          seed: d.seed,
        });
      });

      // Piecewise linear in dy with x choosing the pieces: zero gradient in x away from ties.
      it(`maxPool2dGrad(x, dy): ${name}`, () => {
        const d = new Draw(nextSeed());
        checkGradients(
          (x, dy) => runOp('maxPool2dGrad', [x, dy], c.params),
          [d.distinct(c.x), d.uniform(poolOutShape(c))],
          { seed: d.seed },
        );
      });

      it(`maxPool2dGather(x, g): ${name}`, () => {
        const d = new Draw(nextSeed());
        checkGradients(
          (x, g) => runOp('maxPool2dGather', [x, g], c.params),
          [d.distinct(c.x), d.uniform(c.x)],
          {
            seed: d.seed,
          },
        );
      });

      it(`avgPool2dGrad(dy): ${name}`, () => {
        const d = new Draw(nextSeed());
        checkGradients(
          (dy) => runOp('avgPool2dGrad', [dy], { ...c.params, inputShape: c.x }),
          [d.uniform(poolOutShape(c))],
          { seed: d.seed },
        );
      });
    }
  });
}
