/** Shapes and backwards of the fused ops (../fused.ts). */
import { fmtShape, InvalidArgumentError, ShapeError } from '../../../errors';
import type { OpDefs } from '../../op-def';
import type { FusedActivation } from '../../op-params';
import { type Shape, shapesEqual } from '../../shape';
import type { Tensor } from '../../tensor';
import { mul, neg, sub } from '../elementwise';
import { activationGrad, softmaxCrossEntropyGrad } from '../fused';
import { reshape } from '../layout';
import { logSoftmax, softmax } from '../nn';
import { sum } from '../reduce';
import { convOps } from './conv';
import { nnOps } from './nn';

const ACTIVATIONS: readonly FusedActivation[] = ['linear', 'relu', 'sigmoid', 'tanh'];

function sameShapes(op: string, inputs: readonly Shape[], names: readonly string[]): Shape {
  inputs.forEach((s, k) => {
    if (!shapesEqual(s, inputs[0])) {
      throw new ShapeError(
        `${op}: ${names[k]} ${fmtShape(s)} must have the shape of ${names[0]} ${fmtShape(inputs[0])}`,
      );
    }
  });
  return inputs[0];
}

/** Logits and labels [..., classes] of the same shape; the loss has one value per row. */
function classRows(op: string, logits: Shape, labels: Shape): Shape {
  if (logits.length < 1) throw new ShapeError(`${op}: logits must have a class axis, received []`);
  sameShapes(op, [logits, labels], ['logits', 'labels']);
  return logits.slice(0, -1);
}

/** dy [...] as [..., 1], to scale every class of its row. */
const perRow = (dy: Tensor): Tensor => reshape(dy, [...dy.shape, 1]);

function checkActivation(op: string, activation: FusedActivation): void {
  if (!ACTIVATIONS.includes(activation)) {
    throw new InvalidArgumentError(
      `${op}: activation must be one of ${ACTIVATIONS.join(', ')}, received '${activation}'`,
    );
  }
}

/** dy through the activation's derivative: the gradient of the epilogue's input. */
function beforeActivation(dy: Tensor, y: Tensor, activation: FusedActivation): Tensor {
  return activation === 'linear' ? dy : activationGrad(dy, y, activation);
}

export const fusedOps: OpDefs<
  'fusedMatmul' | 'fusedConv2d' | 'activationGrad' | 'softmaxCrossEntropy' | 'softmaxCrossEntropyGrad'
> = {
  fusedMatmul: {
    arity: 3,
    shape: ([a, b, bias], params) => {
      checkActivation('fusedMatmul', params.activation);
      const out = nnOps.matmul.shape([a, b], params);
      if (bias.length !== 1 || bias[0] !== out[1]) {
        throw new ShapeError(
          `fusedMatmul: bias ${fmtShape(bias)} must be [${out[1]}], one value per output column`,
        );
      }
      return out;
    },
    backward: ({ dy, inputs: [a, b], output, params, needs }) => {
      const dz = beforeActivation(dy, output, params.activation);
      const [da, db] = nnOps.matmul.backward({ dy: dz, inputs: [a, b], output, params, needs });
      return [da, db, needs[2] ? sum(dz, [0]) : null];
    },
  },
  fusedConv2d: {
    arity: 3,
    shape: ([x, w, bias], params) => {
      checkActivation('fusedConv2d', params.activation);
      const out = convOps.conv2d.shape([x, w], params);
      if (bias.length !== 1 || bias[0] !== out[3]) {
        throw new ShapeError(`fusedConv2d: bias ${fmtShape(bias)} must be [${out[3]}], one value per filter`);
      }
      return out;
    },
    backward: ({ dy, inputs: [x, w], output, params, needs }) => {
      const dz = beforeActivation(dy, output, params.activation);
      const conv = { strides: params.strides, padding: params.padding };
      const [dx, dw] = convOps.conv2d.backward({ dy: dz, inputs: [x, w], output, params: conv, needs });
      return [dx, dw, needs[2] ? sum(dz, [0, 1, 2]) : null];
    },
  },
  activationGrad: {
    arity: 2,
    shape: (inputs, { activation }) => {
      if (!ACTIVATIONS.includes(activation) || activation === ('linear' as string)) {
        throw new InvalidArgumentError(
          `activationGrad: activation must be relu, sigmoid or tanh, received '${activation}'`,
        );
      }
      return sameShapes('activationGrad', inputs, ['dy', 'y']);
    },
    // Linear in dy; in y the derivative of act'(y): 0 for relu (flat between its kinks),
    // 1 - 2y for sigmoid, -2y for tanh.
    backward: ({ dy: g, inputs: [dy, y], params: { activation } }) => [
      activationGrad(g, y, activation),
      activation === 'relu'
        ? null
        : mul(mul(g, dy), activation === 'sigmoid' ? sub(1, mul(y, 2)) : mul(y, -2)),
    ],
  },
  softmaxCrossEntropy: {
    arity: 2,
    shape: ([logits, labels]) => classRows('softmaxCrossEntropy', logits, labels),
    // d/dt = -log softmax(z); d/dz is its own fused op.
    backward: ({ dy, inputs: [z, t], needs }) => [
      needs[0] ? softmaxCrossEntropyGrad(dy, z, t) : null,
      needs[1] ? mul(perRow(dy), neg(logSoftmax(z, -1))) : null,
    ],
  },
  softmaxCrossEntropyGrad: {
    arity: 3,
    shape: ([dy, z, t]) => {
      const rows = classRows('softmaxCrossEntropyGrad', z, t);
      if (!shapesEqual(dy, rows)) {
        throw new ShapeError(
          `softmaxCrossEntropyGrad: dy ${fmtShape(dy)} must hold one value per row of the logits ${fmtShape(z)}`,
        );
      }
      return z;
    },
    // out = dy (y S - t) with y = softmax(z), S = sum t. Linear in dy; through y the softmax VJP
    // y (g' - sum(g' y)) with g' = g dy S; in t, dy (sum(g y) - g).
    backward: ({ dy: g, inputs: [dy, z, t], needs }) => {
      const y = softmax(z, -1);
      const s = sum(t, -1, true);
      const gy = sum(mul(g, y), -1, true);
      const scale = perRow(dy);
      return [
        needs[0] ? sum(mul(g, sub(mul(y, s), t)), -1) : null,
        needs[1] ? mul(mul(scale, s), mul(y, sub(g, gy))) : null,
        needs[2] ? mul(scale, sub(gy, g)) : null,
      ];
    },
  },
};
