/**
 * The PyTorch text of each export step: a module built in __init__ (when the step has weights or
 * state), the lines of forward, and how our tensors map onto its parameters. Images between Conv
 * and pooling steps are NCHW, as PyTorch wants; plan.ts placed the permutes.
 */
import type { ExportStep } from './plan';

export interface PythonStep {
  /** `self.<attr> = <module>` lines of __init__. */
  init: string[];
  /** Lines of forward, each updating `x`. */
  forward: string[];
  /** [our tensor name, state_dict key, layout] for WEIGHT_MAP. */
  weights: [string, string, 'linear' | 'conv' | 'same'][];
}

const py = (v: number) => (Number.isInteger(v) ? `${v}.0` : String(v));
const tuple = (v: readonly number[]) => `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;

/** pads [top, left, bottom, right] as F.pad's (left, right, top, bottom), and whether they are even. */
function torchPads(p: readonly [number, number, number, number]) {
  const [top, left, bottom, right] = p;
  return { fpad: tuple([left, right, top, bottom]), symmetric: top === bottom && left === right, top, left };
}

const activations = {
  relu: () => 'F.relu(x)',
  leakyRelu: () => 'F.leaky_relu(x, 0.2)',
  elu: () => 'F.elu(x, 1.0)',
  sigmoid: () => 'torch.sigmoid(x)',
  tanh: () => 'torch.tanh(x)',
  softmax: (axis: number) => `torch.softmax(x, dim=${axis})`,
} as const;

/** `attr` is the layer's Python attribute name (its own name, made an identifier). */
export function pythonStep(step: ExportStep, attr: string): PythonStep {
  const self = `self.${attr}`;
  const none: PythonStep = { init: [], forward: [], weights: [] };
  const own = (key: string, param: string, layout: 'linear' | 'conv' | 'same') =>
    [`${'layer' in step ? step.layer : ''}.${key}`, `${attr}.${param}`, layout] as [
      string,
      string,
      typeof layout,
    ];
  switch (step.kind) {
    case 'transpose':
      return { ...none, forward: [`x = x.permute${tuple(step.perm)}`] };
    case 'dense':
      return {
        init: [`${self} = nn.Linear(${step.inputs}, ${step.units}, bias=${step.useBias ? 'True' : 'False'})`],
        forward: [`x = ${self}(x)`],
        weights: [own('kernel', 'weight', 'linear'), ...(step.useBias ? [own('bias', 'bias', 'same')] : [])],
      };
    case 'conv': {
      const p = torchPads(step.pads);
      const padding = p.symmetric ? tuple([p.top, p.left]) : '0';
      return {
        init: [
          `${self} = nn.Conv2d(${step.inChannels}, ${step.filters}, kernel_size=${tuple(step.kernel)}, stride=${tuple(step.strides)}, padding=${padding}, bias=${step.useBias ? 'True' : 'False'})`,
        ],
        // TensorFlow's 'same' puts the odd row/column below/right; Conv2d pads evenly, so
        // uneven padding goes through F.pad first.
        forward: [...(p.symmetric ? [] : [`x = F.pad(x, ${p.fpad})`]), `x = ${self}(x)`],
        weights: [own('kernel', 'weight', 'conv'), ...(step.useBias ? [own('bias', 'bias', 'same')] : [])],
      };
    }
    case 'pool': {
      const p = torchPads(step.pads);
      const k = tuple(step.size);
      const s = tuple(step.strides);
      if (step.op === 'max') {
        const padding = p.symmetric ? tuple([p.top, p.left]) : '0';
        return {
          init: [`${self} = nn.MaxPool2d(kernel_size=${k}, stride=${s}, padding=${padding})`],
          forward: [
            ...(p.symmetric ? [] : [`x = F.pad(x, ${p.fpad}, value=float("-inf"))`]),
            `x = ${self}(x)`,
          ],
          weights: [],
        };
      }
      if (p.symmetric) {
        return {
          init: [
            `${self} = nn.AvgPool2d(kernel_size=${k}, stride=${s}, padding=${tuple([p.top, p.left])}, count_include_pad=False)`,
          ],
          forward: [`x = ${self}(x)`],
          weights: [],
        };
      }
      return { ...none, forward: [`x = avg_pool_same(x, ${k}, ${s}, ${p.fpad})`] };
    }
    case 'batchNorm': {
      const kind = step.rank <= 3 ? '1d' : step.rank === 4 ? '2d' : '3d';
      const affine = step.scale || step.center;
      const init = [
        // Keras momentum m keeps m of the old statistic; PyTorch's momentum is the new one's share.
        `${self} = nn.BatchNorm${kind}(${step.features}, eps=${py(step.epsilon)}, momentum=${py(1 - step.momentum)}, affine=${affine ? 'True' : 'False'})`,
      ];
      // Without scale (or center) our layer has no gamma (beta): PyTorch's stays 1 (0), frozen.
      if (affine && !step.scale) init.push(`${self}.weight.requires_grad_(False)`);
      if (affine && !step.center) init.push(`${self}.bias.requires_grad_(False)`);
      return {
        init,
        forward: [`x = ${self}(x)`],
        weights: [
          ...(step.scale ? [own('gamma', 'weight', 'same')] : []),
          ...(step.center ? [own('beta', 'bias', 'same')] : []),
          own('moving_mean', 'running_mean', 'same'),
          own('moving_variance', 'running_var', 'same'),
        ],
      };
    }
    case 'activation':
      return { ...none, forward: [`x = ${activations[step.fn](step.axis)}`] };
    case 'flatten':
      return { ...none, forward: ['x = torch.flatten(x, 1)'] };
    case 'reshape':
      return { ...none, forward: [`x = x.reshape(x.shape[0], ${step.shape.join(', ')})`] };
    case 'dropout':
      return { init: [`${self} = nn.Dropout(${py(step.rate)})`], forward: [`x = ${self}(x)`], weights: [] };
  }
}
