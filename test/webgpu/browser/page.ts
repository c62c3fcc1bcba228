/**
 * Runs in headless Chromium (see ../browser.test.ts): the same ops on WebGPU (through
 * navigator.gpu, on a core and a compatibility adapter) and on the CPU backend, and publishes the
 * largest relative error of each case on `window.__kernelResults`. Every reduction kernel tuning may
 * pick on the adapter (kernels/reduce-candidates.ts: serial, tree, and subgroup trees where it has
 * subgroups) is forced in turn on REDUCTION_CASES as well.
 */
import { CpuBackend } from '../../../src/backend/cpu/cpu-backend';
import type { ReduceCandidate } from '../../../src/backend/webgpu/kernel-types';
import { reduceCandidateId, reduceDeviceFits } from '../../../src/backend/webgpu/kernels/reduce-candidates';
import { WebGPUBackend } from '../../../src/backend/webgpu/webgpu-backend';
import { valueAndGrad } from '../../../src/graph/autodiff';
import { tensor, withBackend } from '../../../src/graph/engine';
import * as ops from '../../../src/graph/ops';
import { Random } from '../../../src/graph/random';
import type { Tensor } from '../../../src/graph/tensor';

type Case = (t: (shape: number[]) => Tensor) => Tensor[];

const CASES: Record<string, Case> = {
  'matmul 33x257x7': (t) => [ops.matmul(t([33, 257]), t([257, 7]))],
  'matmul transposed 7x33x65': (t) => [
    ops.matmul(t([33, 7]), t([65, 33]), { transposeA: true, transposeB: true }),
  ],
  // Multiples of 4 off the 32x64 tile: the vec4 register kernel on CPU adapters, every transpose pair.
  'matmul vec4 36x20x44': (t) => [
    ops.matmul(t([36, 20]), t([20, 44])),
    ops.matmul(t([20, 36]), t([20, 44]), { transposeA: true }),
    ops.matmul(t([36, 20]), t([44, 20]), { transposeB: true }),
    ops.matmul(t([20, 36]), t([44, 20]), { transposeA: true, transposeB: true }),
  ],
  'broadcast add, mul': (t) => [ops.add(t([7, 1, 33]), t([5, 1])), ops.mul(t([7, 33]), t([33]))],
  'exp, log, tanh': (t) => [ops.exp(t([257])), ops.log(ops.abs(t([257]))), ops.tanh(t([257]))],
  'sum and max over axes': (t) => [ops.sum(t([7, 33, 5]), [0, 2]), ops.max(t([33, 7]), 1)],
  'softmax, logSoftmax': (t) => [ops.softmax(t([7, 257])), ops.logSoftmax(t([33, 7]), 0)],
  'conv2d same stride 2': (t) => [
    ops.conv2d(t([2, 9, 7, 3]), t([3, 3, 3, 4]), { strides: 2, padding: 'same' }),
  ],
  pools: (t) => [
    ops.maxPool2d(t([2, 7, 7, 3]), 3, { strides: 2, padding: 'same' }),
    ops.avgPool2d(t([1, 7, 9, 2]), 2),
  ],
  dropout: (t) => [ops.dropout(ops.abs(t([257])), 0.4, { seed: 9, step: 3 })],
  layout: (t) => [
    ops.transpose(t([2, 3, 5]), [2, 0, 1]),
    ops.concat([t([7, 2]), t([7, 3])], 1),
    ops.pad(t([3, 3]), [
      [1, 0],
      [0, 2],
    ]),
  ],
  'fused matmul and conv epilogues': (t) => [
    ops.fusedMatmul(t([33, 12]), t([12, 7]), t([7]), { activation: 'tanh' }),
    ops.fusedMatmul(t([32, 16]), t([16, 8]), t([8]), { activation: 'relu' }),
    ops.fusedConv2d(t([2, 9, 7, 3]), t([3, 3, 3, 5]), t([5]), { padding: 'same', activation: 'sigmoid' }),
  ],
  'channel moments, affine, sums': (t) => {
    const x = t([4, 5, 6, 3]);
    return [
      ops.channelMoments(x, 3),
      ops.channelMoments(t([3000, 2]), 1),
      ops.channelAffine(x, t([3]), t([3]), t([3]), 3),
      ops.channelSums(t([4, 5, 6, 3]), x, t([3]), 3),
    ];
  },
  'softmax cross-entropy and optimizer updates': (t) => {
    const z = t([33, 5]);
    const labels = ops.abs(t([33, 5]));
    return [
      ops.softmaxCrossEntropy(z, labels),
      ops.softmaxCrossEntropyGrad(t([33]), z, labels),
      ops.activationGrad(t([257]), ops.sigmoid(t([257])), 'sigmoid'),
      ...Object.values(
        ops.adamUpdate(t([257]), t([257]), t([257]), ops.abs(t([257])), 0.01, 0, {
          beta1: 0.9,
          beta2: 0.999,
          epsilon: 1e-7,
        }),
      ),
      ...Object.values(
        ops.rmspropUpdate(t([257]), t([257]), ops.abs(t([257])), t([257]), t([257]), 0.01, {
          rho: 0.9,
          momentum: 0.5,
          epsilon: 1e-3,
          centered: false,
        }),
      ).filter((x) => x !== undefined),
    ];
  },
  'mlp gradients': (t) => {
    const x = t([33, 7]);
    const labels = ops.oneHot(ops.abs(ops.sign(t([33]))), 3);
    const loss = (w1: Tensor, w2: Tensor) =>
      ops.neg(ops.mean(ops.mul(labels, ops.logSoftmax(ops.matmul(ops.relu(ops.matmul(x, w1)), w2)))));
    const { value, grads } = valueAndGrad(loss)(t([7, 16]), t([16, 3]));
    return [value, ...grads];
  },
};

/** Odd lengths and output counts, in each layout the kernels address, for every reduction candidate. */
const REDUCTION_CASES: Record<string, Case> = {
  'sum, max rows': (t) => [ops.sum(t([3, 1100]), 1), ops.max(t([3, 1100]), 1)],
  'sum columns, strided': (t) => [ops.sum(t([300, 7]), 0), ops.sum(t([3, 37, 5]), [0, 2])],
  'channel moments, sums': (t) => {
    const x = t([4, 6, 5, 7]);
    return [ops.channelMoments(x, 1), ops.channelSums(t([4, 6, 5, 7]), x, t([6]), 1)];
  },
  'softmax, logSoftmax lines': (t) => [ops.softmax(t([3, 1100])), ops.logSoftmax(t([3, 300, 3]), 1)],
};

/** Every mode at 32, 64 and 256 threads (as the device allows), subgroup trees of 2 (smaller than a subgroup), two passes. */
function reductionCandidates(gpu: WebGPUBackend): ReduceCandidate[] {
  const all = (['serial', 'tree', 'subgroup'] as const).flatMap((mode) =>
    [2, 32, 64, 256].map((wg): ReduceCandidate => ({ kind: 'reduce', mode, wg })),
  );
  // Two passes (sum and max; the other cases keep their rule): tree and subgroup parts.
  const twoPass: ReduceCandidate[] = [
    { kind: 'reduce', mode: 'tree', wg: 32, parts: 4 },
    { kind: 'reduce', mode: 'subgroup', wg: 64, parts: 16 },
  ];
  return [...all, ...twoPass].filter(
    (c) => (c.wg > 2 || c.mode === 'subgroup') && reduceDeviceFits(c, gpu.device.limits, gpu.env.subgroups),
  );
}

async function compare(
  gpu: WebGPUBackend,
  seed: number,
  cases: Record<string, Case> = CASES,
  prefix = '',
): Promise<Record<string, number>> {
  const cpu = new CpuBackend();
  const errors: Record<string, number> = {};
  for (const [name, make] of Object.entries(cases)) {
    const run = (backend: WebGPUBackend | CpuBackend) => {
      const rng = new Random(seed);
      return withBackend(backend, () =>
        make((shape) =>
          tensor(
            Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
            shape,
          ),
        ),
      );
    };
    const [onGpu, onCpu] = [run(gpu), run(cpu)];
    let worst = 0;
    for (let k = 0; k < onGpu.length; k++) {
      const [g, c] = [await onGpu[k].data(), onCpu[k].dataSync()];
      for (let i = 0; i < c.length; i++) {
        const err = Math.abs(g[i] - c[i]) / Math.max(Math.abs(c[i]), 1);
        // NaN (a poisoned element never written) is an infinite error.
        worst =
          Number.isNaN(g[i]) !== Number.isNaN(c[i]) ? Number.POSITIVE_INFINITY : Math.max(worst, err || 0);
      }
    }
    errors[prefix + name] = worst;
  }
  return errors;
}

async function main(): Promise<unknown> {
  const results: Record<string, unknown> = {};
  for (const featureLevel of ['core', 'compatibility'] as const) {
    let forced: ReduceCandidate | undefined;
    const gpu = await WebGPUBackend.create({
      featureLevel,
      poisonOutputs: true,
      choices: { matmul: () => undefined, reduce: () => forced },
    });
    try {
      const errors = await compare(gpu, 0x5eed + featureLevel.length);
      for (const c of reductionCandidates(gpu)) {
        forced = c;
        Object.assign(errors, await compare(gpu, 0x5eed, REDUCTION_CASES, `${reduceCandidateId(c)}: `));
      }
      results[featureLevel] = {
        description: gpu.description,
        featureLevel: gpu.context.featureLevel,
        subgroups: gpu.env.subgroups,
        errors,
        error: gpu.error?.message ?? null,
      };
    } finally {
      gpu.destroy();
    }
  }
  return results;
}

const w = window as unknown as { __kernelResults?: unknown };
main().then(
  (r) => {
    w.__kernelResults = r;
  },
  (e: Error) => {
    w.__kernelResults = { failure: `${e.name}: ${e.message}` };
  },
);
