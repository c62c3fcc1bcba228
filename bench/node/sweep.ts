// The candidate sweep: every kernel variant the autotuner may pick on this device, forced in turn
// and checked against the CPU backend in float64, before tuning is trusted to pick it. Kernel
// tests run here only on SwiftShader (a CPU, subgroups of 4); a real GPU's subgroup size, races
// and driver compilers are checked only by this.
//
// Nothing here names a kernel family. Each case (random odd shapes, fresh per seed; forward and
// gradients) runs once with a recording `choices` (the WebGPUBackend test aid): every method a
// kernel calls on it (`matmul`, `conv`, and whatever family is added later) is a family, and the
// shapes it was called with are the family's shapes in the case. Each shape's candidates come from
// the families' own functions, `builtinFor` plus `candidatesFor(..., thorough = true)`
// (tune/families.ts), with the device's own env and limits. Then each candidate id of the union is
// forced on every shape of the family that offers it, and the case's outputs and gradients are
// compared with the CPU's: one row per (case, family, candidate).

import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import type { KernelChoices, TunedCandidate, TunedShape } from '../../src/backend/webgpu/kernel-types';
import { builtinFor, candidatesFor, shapeClass, tunedId } from '../../src/backend/webgpu/tune/families';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { runOp } from '../../src/graph/engine';
import {
  avgPool2d,
  channelAffine,
  channelMoments,
  fusedConv2d,
  fusedMatmul,
  logSoftmax,
  matmul,
  max,
  maxPool2d,
  mean,
  softmax,
  softmaxCrossEntropy,
  sum,
} from '../../src/graph/ops/index';
import { Random } from '../../src/graph/random';
import { type Case, outputsOf, type ParityRow, randomInputs, worstError } from './parity';

const TOLERANCE = 1e-4;
type Outputs = Awaited<ReturnType<typeof outputsOf>>;

/** A random odd integer in [lo, hi] (lo odd). */
const odd = (rng: Random, lo: number, hi: number) => lo + 2 * rng.int((hi - lo) / 2 + 1);
/** A random multiple of 4 in [lo, hi] (lo a multiple of 4). */
const four = (rng: Random, lo: number, hi: number) => lo + 4 * rng.int((hi - lo) / 4 + 1);

function mmCase(m: number, k: number, n: number, tA: boolean, tB: boolean, what = 'matmul'): Case {
  return {
    family: what,
    name: `${what} ${m}x${k}x${n}${tA ? ' A^T' : ''}${tB ? ' B^T' : ''}`,
    shapes: [tA ? [k, m] : [m, k], tB ? [n, k] : [k, n]],
    f: (a, b) => matmul(a, b, { transposeA: tA, transposeB: tB }),
  };
}

/**
 * The cases, with fresh random sizes: odd (ragged edges of every block size) and aligned (the vec4
 * kernels' precondition) products in each transpose pair, a long K (split-K), a large product and
 * convolution (many workgroups), both epilogues, a strided 'same' and a 'valid' convolution with
 * ragged filter blocks, and every other kernel family the parity cases have (reductions, softmax, pooling, batch norm): those add rows as soon
 * as their families are tuned. Each case's gradients run the adjoint kernels (transposed products,
 * both conv adjoints) through the same forcing.
 */
export function sweepCases(rng: Random): Case[] {
  const pairs = [false, true].flatMap((tA) => [false, true].map((tB) => [tA, tB] as const));
  const [m, k, n] = [odd(rng, 17, 99), odd(rng, 17, 199), odd(rng, 17, 99)];
  const [am, ak, an] = [four(rng, 12, 96), four(rng, 12, 196), four(rng, 12, 96)];
  const batch = 2 + rng.int(2);
  const [h, w] = [odd(rng, 5, 11), odd(rng, 5, 11)];
  const filters = odd(rng, 9, 13);
  const [rows, cols] = [odd(rng, 501, 1501), odd(rng, 17, 63)];
  return [
    ...pairs.map(([tA, tB]) => mmCase(m, k, n, tA, tB)),
    mmCase(am, ak, an, false, false, 'matmul aligned'),
    mmCase(am, ak, an, true, true, 'matmul aligned'),
    mmCase(odd(rng, 5, 23), odd(rng, 601, 1101), odd(rng, 5, 23), false, false, 'matmul long K'),
    // Many workgroups at once, where a real GPU's races between and within them would show.
    mmCase(odd(rng, 257, 387), odd(rng, 257, 515), odd(rng, 257, 387), false, false, 'matmul large'),
    ...(
      [
        [m, k, n, 'relu'],
        [am, ak, an, 'tanh'],
      ] as const
    ).map<Case>(([p, q, r, activation]) => ({
      family: 'matmul epilogue',
      name: `fusedMatmul ${p}x${q}x${r} + bias, ${activation}`,
      shapes: [[p, q], [q, r], [r]],
      f: (a, b, bias) => fusedMatmul(a, b, bias, { activation }),
    })),
    {
      family: 'conv2d',
      name: `fusedConv2d ${batch}x${h}x${w}x3 * 3x2x3x${filters}, stride 2x1, same, tanh`,
      shapes: [[batch, h, w, 3], [3, 2, 3, filters], [filters]],
      f: (x, f, bias) => fusedConv2d(x, f, bias, { strides: [2, 1], padding: 'same', activation: 'tanh' }),
    },
    {
      family: 'conv2d',
      name: `conv2d ${batch}x${h + 4}x${w + 2}x1 * 3x3x1x${filters - 4}, valid`,
      shapes: [
        [batch, h + 4, w + 2, 1],
        [3, 3, 1, filters - 4],
      ],
      f: (x, f) => runOp('conv2d', [x, f], { strides: [1, 1], padding: 'valid' }),
    },
    {
      family: 'conv2d',
      name: `conv2d large 16x${h + 8}x${w + 8}x8 * 3x3x8x${filters + 8}, same`,
      shapes: [
        [16, h + 8, w + 8, 8],
        [3, 3, 8, filters + 8],
      ],
      f: (x, f) => runOp('conv2d', [x, f], { strides: [1, 1], padding: 'same' }),
    },
    {
      family: 'pooling',
      name: `max 2x2, ${batch}x${h}x${w}x5`,
      shapes: [[batch, h, w, 5]],
      f: (x) => maxPool2d(x, 2),
    },
    {
      family: 'pooling',
      name: `avg 3x3 s2, ${batch}x${h}x${w}x5`,
      shapes: [[batch, h, w, 5]],
      f: (x) => avgPool2d(x, 3, { strides: 2 }),
    },
    { family: 'reduction', name: `sum axis 0, ${rows}x${cols}`, shapes: [[rows, cols]], f: (x) => sum(x, 0) },
    {
      family: 'reduction',
      name: `mean axis 1, ${cols}x${rows}`,
      shapes: [[cols, rows]],
      f: (x) => mean(x, 1),
    },
    { family: 'reduction', name: `max all, ${rows * cols}`, shapes: [[rows * cols]], f: (x) => max(x) },
    { family: 'reduction', name: `sum all, ${rows}x${cols}`, shapes: [[rows, cols]], f: (x) => sum(x) },
    { family: 'softmax', name: `softmax ${cols}x${rows}`, shapes: [[cols, rows]], f: (x) => softmax(x) },
    {
      family: 'softmax',
      name: `logSoftmax ${rows}x${cols}`,
      shapes: [[rows, cols]],
      f: (x) => logSoftmax(x),
    },
    {
      family: 'softmax cross-entropy',
      name: `${rows}x10 logits vs soft labels`,
      shapes: [
        [rows, 10],
        [rows, 10],
      ],
      f: (logits, labels) => softmaxCrossEntropy(logits, softmax(labels)),
    },
    {
      family: 'batch norm',
      name: `channel moments ${rows}x${cols}`,
      shapes: [[rows, cols]],
      f: (x) => channelMoments(x),
    },
    {
      family: 'batch norm',
      name: `channel affine ${batch}x${h}x${w}x7`,
      shapes: [[batch, h, w, 7], [7], [7], [7]],
      f: (x, c, s, t) => channelAffine(x, c, s, t),
    },
  ];
}

/** What the recording/forcing `choices` does: record the families' calls, or force one candidate. */
interface Forcing {
  /** family -> shape class -> shape, of the discovery run. */
  seen: Map<string, Map<string, TunedShape>>;
  force: { family: string; id: string } | null;
  /** Calls that were handed the forced candidate. */
  hits: number;
  /** Test aid: what a forced candidate is replaced by when it runs (the kit's test breaks one). */
  substitute?: (family: string, c: TunedCandidate) => TunedCandidate;
}

/** The device's candidates for a shape, the rule's first: the families' own lists (tune/families.ts). */
function offered(gpu: WebGPUBackend, shape: TunedShape): TunedCandidate[] {
  return [builtinFor(gpu.env, shape), ...candidatesFor(shape, gpu.env, gpu.device.limits, true)];
}

/** A KernelChoices whose every method (family) records or forces, per `state`. */
function sweepChoices(state: Forcing, gpu: () => WebGPUBackend): KernelChoices {
  const method = (family: string) => (shape: TunedShape) => {
    if (!state.force) {
      const shapes = state.seen.get(family) ?? new Map<string, TunedShape>();
      shapes.set(shapeClass(shape), shape);
      state.seen.set(family, shapes);
      return undefined;
    }
    if (state.force.family !== family) return undefined;
    const id = state.force.id;
    const c = offered(gpu(), shape).find((x) => tunedId(x) === id);
    if (!c) return undefined;
    state.hits++;
    return state.substitute ? state.substitute(family, c) : c;
  };
  // Only string names are families ('then' is asked by await, never by a kernel).
  const family = (name: string | symbol): name is string => typeof name === 'string' && name !== 'then';
  return new Proxy({} as KernelChoices, {
    get: (_, name) => (family(name) ? method(name) : undefined),
    has: (_, name) => family(name),
  });
}

export interface SweepPlan {
  family: string;
  case: string;
  /** Every candidate id the family offers across the case's shapes, the rules' first. */
  candidates: string[];
  /** The family's shape classes in the case, and one shape of each (what the candidates were asked for). */
  classes: string[];
  shapes: TunedShape[];
}

export interface SweepOptions {
  seed: number;
  /** Only candidates whose "case: candidate" text matches (a regular expression); all by default. */
  filter?: RegExp;
  /** Stop starting candidates at this time (ms since the epoch): the rest are rows with checked: false. */
  deadline?: number;
  /** Called after each row, so a cut run keeps what it has. */
  onRow?: (rows: ParityRow[], plans: SweepPlan[]) => void;
  /** Test aid: replaces a forced candidate when it runs, so a test can show a broken kernel fails its row. */
  substitute?: (family: string, c: TunedCandidate) => TunedCandidate;
}

/** Compiles a case's outputs and gradients on the GPU, the candidate forced; the row for it. */
async function forcedRow(
  gpu: WebGPUBackend,
  state: Forcing,
  c: Case,
  plan: SweepPlan,
  id: string,
  run: { inputs: Float64Array[]; r: Float64Array; expected: Outputs },
): Promise<ParityRow> {
  const row = { family: `sweep ${plan.family}`, case: c.name, candidate: id, classes: plan.classes };
  state.force = { family: plan.family, id };
  state.hits = 0;
  try {
    const onGpu = await outputsOf(gpu, c, run.inputs, run.r);
    const maxError = Math.max(...onGpu.map((g, i) => worstError(g, run.expected[i])));
    if (state.hits === 0)
      return { ...row, maxError, tolerance: TOLERANCE, pass: false, error: 'the candidate never ran' };
    return { ...row, maxError, tolerance: TOLERANCE, pass: maxError <= TOLERANCE };
  } catch (e) {
    const error = (e as Error).message.split('\n')[0];
    return { ...row, maxError: Number.NaN, tolerance: TOLERANCE, pass: false, error };
  } finally {
    state.force = null;
  }
}

/** The family plans of one case: what the discovery run's recorded calls offer. */
function plansOf(gpu: WebGPUBackend, state: Forcing, c: Case): SweepPlan[] {
  return [...state.seen].map(([family, shapes]) => {
    const ids = [...shapes.values()].flatMap((s) => offered(gpu, s).map(tunedId));
    const classes = [...shapes.keys()];
    return { family, case: c.name, candidates: [...new Set(ids)], classes, shapes: [...shapes.values()] };
  });
}

/** One (case, family, candidate) to force, with what its row is compared against. */
interface Job {
  c: Case;
  plan: SweepPlan;
  id: string;
  run: { inputs: Float64Array[]; r: Float64Array; expected: Outputs };
}

/**
 * The jobs in the order they run: each (family, candidate) on its first case before any runs on a
 * second, so a deadline leaves the most distinct kernels checked (a family met late, a candidate
 * offered by few cases); then the rest in case order.
 */
function ordered(jobs: Job[]): Job[] {
  const seen = new Set<string>();
  const first: Job[] = [];
  const rest: Job[] = [];
  for (const j of jobs) {
    const key = `${j.plan.family} ${j.id}`;
    (seen.has(key) ? rest : first).push(j);
    seen.add(key);
  }
  return [...first, ...rest];
}

const notChecked = (j: Job): ParityRow => ({
  family: `sweep ${j.plan.family}`,
  case: j.c.name,
  candidate: j.id,
  classes: j.plan.classes,
  maxError: Number.NaN,
  tolerance: TOLERANCE,
  pass: false,
  checked: false,
  error: 'not checked: past the sweep deadline',
});

/**
 * The sweep on a backend of its own (the recording choices are fixed at creation), outputs
 * poisoned with NaN so an unwritten element fails. First every case runs once on the CPU and once
 * on the GPU with its rules (finding the families and their candidates), then the candidates are
 * forced in turn (`ordered`). After a run that threw (a lost device, a shader that did not
 * compile) the device is replaced and the sweep goes on.
 */
export async function candidateSweep(
  options: SweepOptions,
): Promise<{ rows: ParityRow[]; plans: SweepPlan[] }> {
  const state: Forcing = { seen: new Map(), force: null, hits: 0, substitute: options.substitute };
  const make = (): Promise<WebGPUBackend> =>
    WebGPUBackend.create({
      powerPreference: 'high-performance',
      poisonOutputs: true,
      choices: sweepChoices(state, () => gpu),
    });
  const renew = async (old: WebGPUBackend) => {
    if (old.state !== 'lost') old.destroy();
    return make();
  };
  let gpu: WebGPUBackend = await make();
  const f64 = new CpuBackend('float64');
  const rng = new Random(options.seed);
  // One set of output weights for every case: only its randomness matters.
  const r = Float64Array.from({ length: 1 << 20 }, () => rng.normal());
  const rows: ParityRow[] = [];
  const plans: SweepPlan[] = [];
  const jobs: Job[] = [];
  for (const c of sweepCases(rng)) {
    const inputs = randomInputs(c.shapes, rng);
    state.seen = new Map();
    try {
      const expected = await outputsOf(f64, c, inputs, r);
      await outputsOf(gpu, c, inputs, r);
      for (const plan of plansOf(gpu, state, c)) {
        plans.push(plan);
        for (const id of plan.candidates)
          if (!options.filter || options.filter.test(`${c.name}: ${id}`))
            jobs.push({ c, plan, id, run: { inputs, r, expected } });
      }
    } catch (e) {
      // The case itself failed (its discovery run or the CPU's): one failing row names it.
      const error = (e as Error).message.split('\n')[0];
      rows.push({
        family: 'sweep',
        case: c.name,
        maxError: Number.NaN,
        tolerance: TOLERANCE,
        pass: false,
        error,
      });
      gpu = await renew(gpu);
    }
  }
  options.onRow?.(rows, plans);
  for (const job of ordered(jobs)) {
    if (options.deadline !== undefined && Date.now() > options.deadline) {
      rows.push(notChecked(job));
      continue;
    }
    const row = await forcedRow(gpu, state, job.c, job.plan, job.id, job.run);
    rows.push(row);
    options.onRow?.(rows, plans);
    // A failure the backend reports late (a pipeline that did not compile) must not spoil the
    // next row: a run that threw gets a fresh device.
    if (row.error) gpu = await renew(gpu);
  }
  options.onRow?.(rows, plans);
  gpu.destroy();
  return { rows, plans };
}
