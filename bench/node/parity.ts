// Parity on whatever adapter Dawn offers: every kernel family (forward and, through autodiff, its
// gradient kernels) on fresh random inputs, and short seeded fits of W2, W3 and W4 plus each
// optimizer, WebGPU against the CPU backend in float64. This is what a real GPU adds over the
// kernel tests run here on CPU emulations: the variants that only real GPUs get (the tiled matmul)
// and a driver's arithmetic. Rows report the worst relative error and pass or fail on a tolerance.

import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { tensor, useBackend, withBackend } from '../../src/graph/engine';
import {
  avgPool2d,
  channelAffine,
  channelMoments,
  conv2d,
  fusedMatmul,
  logSoftmax,
  matmul,
  max,
  maxPool2d,
  mean,
  mul,
  softmax,
  softmaxCrossEntropy,
  sum,
} from '../../src/graph/ops/index';
import { Random } from '../../src/graph/random';
import type { Tensor } from '../../src/graph/tensor';
import { Adam, AdamW, type Optimizer, RMSprop, SGD, valueAndGrad } from '../../src/index';
import { head } from '../data';
import { build } from '../libs/ours';
import { dataset, KINDS } from '../runner';

export interface ParityRow {
  family: string;
  case: string;
  /** The candidate sweep's rows (sweep.ts): the kernel forced, and the shape classes it ran on. */
  candidate?: string;
  classes?: string[];
  /** False for a sweep row the deadline left unchecked (not a failure, but not checked either). */
  checked?: boolean;
  /** Largest normwise relative error max|gpu - f64| / max|f64| over the outputs and gradients. */
  maxError: number;
  tolerance: number;
  pass: boolean;
  error?: string;
}

export type Case = { family: string; name: string; shapes: number[][]; f: (...xs: Tensor[]) => Tensor };

const mm = (m: number, k: number, n: number, tA = false, tB = false): Case => ({
  family: 'matmul',
  name: `${m}x${k}x${n}${tA ? ' A^T' : ''}${tB ? ' B^T' : ''}`,
  shapes: [tA ? [k, m] : [m, k], tB ? [n, k] : [k, n]],
  f: (a, b) => matmul(a, b, { transposeA: tA, transposeB: tB }),
});

/** The cases: odd and vec4-friendly shapes, every transpose pair, the epilogues, the rest by family. */
const CASES: Case[] = [
  ...[false, true].flatMap((tA) => [false, true].map((tB) => mm(67, 129, 33, tA, tB))),
  ...[false, true].flatMap((tA) => [false, true].map((tB) => mm(128, 256, 64, tA, tB))),
  mm(512, 784, 256),
  mm(1, 300, 7),
  ...(['linear', 'relu', 'sigmoid', 'tanh'] as const).map<Case>((activation) => ({
    family: 'matmul epilogue',
    name: `64x100x36 + bias, ${activation}`,
    shapes: [[64, 100], [100, 36], [36]],
    f: (a, b, bias) => fusedMatmul(a, b, bias, { activation }),
  })),
  ...[1, 2].map<Case>((stride) => ({
    family: 'conv2d',
    name: `8x13x11x3 * 3x3x3x5, stride ${stride}, same`,
    shapes: [
      [8, 13, 11, 3],
      [3, 3, 3, 5],
    ],
    f: (x, w) => conv2d(x, w, { strides: stride, padding: 'same' }),
  })),
  {
    family: 'conv2d',
    name: '4x28x28x1 * 3x3x1x8, valid',
    shapes: [
      [4, 28, 28, 1],
      [3, 3, 1, 8],
    ],
    f: (x, w) => conv2d(x, w),
  },
  { family: 'pooling', name: 'max 2x2, 6x9x7x5', shapes: [[6, 9, 7, 5]], f: (x) => maxPool2d(x, 2) },
  {
    family: 'pooling',
    name: 'avg 3x3 s2, 6x9x7x5',
    shapes: [[6, 9, 7, 5]],
    f: (x) => avgPool2d(x, 3, { strides: 2 }),
  },
  { family: 'reduction', name: 'sum axis 0, 1000x37', shapes: [[1000, 37]], f: (x) => sum(x, 0) },
  { family: 'reduction', name: 'mean axis 1, 37x1000', shapes: [[37, 1000]], f: (x) => mean(x, 1) },
  { family: 'reduction', name: 'max all, 50000', shapes: [[50000]], f: (x) => max(x) },
  { family: 'softmax', name: 'softmax 33x10', shapes: [[33, 10]], f: (x) => softmax(x) },
  { family: 'softmax', name: 'logSoftmax 33x1001', shapes: [[33, 1001]], f: (x) => logSoftmax(x) },
  {
    family: 'softmax cross-entropy',
    name: '65x10 logits vs soft labels',
    shapes: [
      [65, 10],
      [65, 10],
    ],
    f: (logits, labels) => softmaxCrossEntropy(logits, softmax(labels)),
  },
  { family: 'batch norm', name: 'channel moments 300x17', shapes: [[300, 17]], f: (x) => channelMoments(x) },
  {
    family: 'batch norm',
    name: 'channel affine 4x5x6x7',
    shapes: [[4, 5, 6, 7], [7], [7], [7]],
    f: (x, c, s, h) => channelAffine(x, c, s, h),
  },
];

export function randomInputs(shapes: number[][], rng: Random): Float64Array[] {
  return shapes.map((s) => Float64Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.normal()));
}

/**
 * Normwise relative error max|a - e| / max|e|: float32 against float64 accumulates rounding in
 * proportion to the operands' size, so elements near 0 (cancellation, saturated tanh gradients)
 * are measured against the output's scale, not their own. NaN anywhere counts as infinite.
 */
export function worstError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    const d = Math.abs(actual[i] - expected[i]);
    worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(worst, d);
  }
  return worst / Math.max(scale, 1e-30);
}

/** Output and every input gradient of sum(f(...) * r), r fixed random weights, on one backend. */
export async function outputsOf(
  backend: CpuBackend | WebGPUBackend,
  c: Case,
  inputs: Float64Array[],
  r: Float64Array,
) {
  const run = withBackend(backend, () => {
    const xs = inputs.map((v, i) => tensor(v, c.shapes[i]));
    const y = c.f(...xs);
    const weights = tensor(r.subarray(0, y.size), y.shape);
    const { grads } = valueAndGrad((...ts: Tensor[]) => sum(mul(c.f(...ts), weights)))(...xs);
    return [y, ...grads];
  });
  return Promise.all(run.map((t) => t.data()));
}

/** quick: the first case of each family (the kit's smoke test). */
export async function kernelParity(gpu: WebGPUBackend, seed: number, quick = false): Promise<ParityRow[]> {
  const f64 = new CpuBackend('float64');
  const rng = new Random(seed);
  const rows: ParityRow[] = [];
  const cases = quick ? CASES.filter((c, i) => CASES.findIndex((d) => d.family === c.family) === i) : CASES;
  for (const c of cases) {
    const tolerance = 1e-4;
    try {
      const inputs = randomInputs(c.shapes, rng);
      const r = Float64Array.from({ length: 1 << 20 }, () => rng.normal());
      const [onGpu, onCpu] = [await outputsOf(gpu, c, inputs, r), await outputsOf(f64, c, inputs, r)];
      const maxError = Math.max(...onGpu.map((g, i) => worstError(g, onCpu[i])));
      rows.push({ family: c.family, case: c.name, maxError, tolerance, pass: maxError <= tolerance });
    } catch (e) {
      const error = (e as Error).message.split('\n')[0];
      rows.push({ family: c.family, case: c.name, maxError: Number.NaN, tolerance, pass: false, error });
    }
  }
  return rows;
}

const OPTIMIZERS: Record<string, () => Optimizer> = {
  adam: () => new Adam({ learningRate: 1e-3 }),
  adamw: () => new AdamW({ learningRate: 1e-2, weightDecay: 0.01 }),
  'sgd nesterov': () => new SGD({ learningRate: 0.05, momentum: 0.9, nesterov: true }),
  'rmsprop centred': () => new RMSprop({ learningRate: 1e-3, centered: true, momentum: 0.5 }),
};

/** Per-epoch losses of a seeded 3-epoch fit on one backend. */
async function fitLosses(
  backend: CpuBackend | WebGPUBackend,
  workload: 'W2' | 'W3' | 'W4',
  rows: number,
  optimizer: string,
) {
  const previous = useBackend(backend);
  try {
    const data = head(dataset(workload, Math.max(rows, 150)), rows);
    const model = build(KINDS[workload]);
    model.compile({ optimizer: OPTIMIZERS[optimizer](), loss: 'categoricalCrossentropy' });
    const x = tensor(data.x.data, data.x.shape);
    const y = tensor(data.y.data, data.y.shape);
    const h = await model.fit(x, y, { batchSize: workload === 'W3' ? 16 : 64, epochs: 3, shuffle: false });
    return h.history.loss;
  } finally {
    useBackend(previous);
  }
}

export async function fitParity(gpu: WebGPUBackend, quick = false): Promise<ParityRow[]> {
  const f64 = new CpuBackend('float64');
  const all: ['W2' | 'W3' | 'W4', number, string][] = [
    ['W2', 512, 'adam'],
    ['W3', 150, 'adam'],
    ['W4', 256, 'adam'],
    ...['adamw', 'sgd nesterov', 'rmsprop centred'].map((o): ['W3', number, string] => ['W3', 150, o]),
  ];
  const fits = quick ? all.filter(([w]) => w === 'W3') : all;
  const rows: ParityRow[] = [];
  for (const [workload, n, optimizer] of fits) {
    const name = `${workload} ${n} rows, 3 epochs, ${optimizer}`;
    const tolerance = 1e-4;
    try {
      const [onGpu, onCpu] = [
        await fitLosses(gpu, workload, n, optimizer),
        await fitLosses(f64, workload, n, optimizer),
      ];
      const maxError = worstError(onGpu, onCpu);
      rows.push({ family: 'fit', case: name, maxError, tolerance, pass: maxError <= tolerance });
    } catch (e) {
      const error = (e as Error).message.split('\n')[0];
      rows.push({ family: 'fit', case: name, maxError: Number.NaN, tolerance, pass: false, error });
    }
  }
  return rows;
}
