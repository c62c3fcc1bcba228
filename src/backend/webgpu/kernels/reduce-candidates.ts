/**
 * The reduction family's kernel choices: sum and max over any axes, batch-norm's channel moments
 * and sums, softmax and log-softmax. Each op has three kernels sharing its bindings and params
 * (a tuned choice swaps in place, plan-retune.ts), and a candidate (ReduceCandidate) is one of
 * them with its workgroup size: `serial`, one thread per output (no workgroup memory, no barrier);
 * `tree`, one workgroup per output, its threads' shares combined by a tree in workgroup memory;
 * `subgroup`, the tree with subgroup operations doing most of the combining. `builtinReduce` is
 * the rule used without tuning, `reduceCandidates` what tuning may time, `reduceDispatches` lowers
 * any candidate to its dispatches. The shapes themselves (x as kept by reduced axes) are
 * reduce-shapes.ts's.
 *
 * Why these candidates. What decides a reduction's speed is how its outputs and terms map onto
 * threads, not arithmetic (it reads each term once, or two or three times for the moments and
 * softmax); the rule's thresholds (1024 terms, 64 outputs) are guesses from CPU emulations.
 * - serial against tree is the main choice: a CPU emulation pays dearly for barriers, so it
 *   prefers a plain loop longer than the rule allows; a GPU with many cores wants a tree earlier
 *   (a serial reduction of 256 outputs keeps 4 workgroups busy on a card with 100+ cores).
 * - the workgroup size (32..256) trades the tree's depth and the number of workgroups in flight
 *   (tree), or workgroups per output (serial) against threads per workgroup.
 * - the subgroup tree replaces log2(WG) + 1 barrier steps by 3: one subgroupAdd / subgroupMax,
 *   then each thread combines the few subgroup results. Subgroup sizes vary (4 on SwiftShader, 32
 *   on NVIDIA, 32 or 64 on AMD, and between dispatches on some Intel parts), so the kernels name
 *   each subgroup by its lowest invocation index and assume neither a size nor that WG is a
 *   multiple of it (shaders/subgroup-total.wgsl); they are offered only where the device has
 *   `subgroups` and options.subgroups is not false, and a stored one is refused elsewhere.
 * - two passes for sum, max and channelSums with few long outputs (the loss's sum over a batch, a
 *   mean over a whole tensor, a conv layer's channels), which one workgroup per output leaves on a
 *   few of a GPU's cores: `parts` workgroups per output each fold a run of its terms into a kernel
 *   temporary, then the serial kernel folds the parts in order (deterministic). Parts are chosen
 *   to fill the device (`splitParts`: 256 workgroups on GPUs, 16 on CPU emulations) with at least
 *   4 terms per thread. The channel moments need their mean before their second sum, and softmax
 *   three passes over a line, so they stay in one pass.
 * - no items per thread for the serial kernel: each of its threads already loops over `length`
 *   terms, so the fixed cost per invocation that makes the map kernels batch items is amortised.
 * Tiny reductions are not tuned (MIN_TUNED_TERMS): a dispatch's own cost dominates them.
 */
import type { KernelDispatch, KernelEnv, ReduceCandidate, ReduceOp, ReduceShape } from '../kernel-types';
import { SHADERS } from '../shaders';
import type { WorkgroupLimits } from './matmul-candidates';
import { reduceExtent } from './reduce-shapes';

/** The rule's threads per workgroup: outputs per serial workgroup, or a tree's width. */
const RULE_WG = 64;
/**
 * Reductions this short, or with this many outputs, run one thread per output under the rule:
 * its plain loop beats the tree's barriers, which CPU emulations pay dearly for, unless a few
 * outputs would leave most threads idle through a long loop.
 */
const SERIAL_MAX_LENGTH = 1024;
const SERIAL_MIN_OUTPUTS = 64;
/**
 * Reductions with fewer terms (outputs x length) are not tuned: they take microseconds, mostly the
 * dispatch's own cost (W2's four sums, the largest 128 x 256, are 1% of its SwiftShader step).
 */
export const MIN_TUNED_TERMS = 65_536;

/** Whether a reduction of `length` terms into `outputs` results runs one thread per output (the rule). */
export function serialReduction(length: number, outputs: number): boolean {
  return length <= SERIAL_MAX_LENGTH || outputs >= SERIAL_MIN_OUTPUTS;
}

const candidate = (mode: ReduceCandidate['mode'], wg: number, parts = 1): ReduceCandidate => ({
  kind: 'reduce',
  mode,
  wg,
  ...(parts > 1 ? { parts } : {}),
});

const isPowerOfTwo = (n: number) => n >= 1 && (n & (n - 1)) === 0;

/** The ops with a two-pass kernel: the channel moments need their mean first, softmax three passes. */
const TWO_PASS_OPS: ReadonlySet<ReduceOp> = new Set<ReduceOp>(['sum', 'max', 'channelSums']);

/** Whether the candidate computes this reduction: two passes only for TWO_PASS_OPS, from a tree. */
export function reduceShapeFits(c: ReduceCandidate, shape: ReduceShape): boolean {
  if ((c.parts ?? 1) === 1) return true;
  return c.mode !== 'serial' && TWO_PASS_OPS.has(shape.reduce);
}

/** Most parts per output of a two-pass reduction: its second pass loops over them. */
const MAX_PARTS = 256;

/**
 * Parts per output for a two-pass reduction of `wg`-thread trees, or 1 where one pass is as good:
 * enough that outputs x parts workgroups reach `target`, each part at least 4 terms per thread.
 */
export function splitParts(shape: ReduceShape, wg: number, target: number): number {
  const { outputs, length } = reduceExtent(shape);
  let parts = 1;
  while (parts < MAX_PARTS && outputs * parts < target && length / (parts * 2) >= 4 * wg) parts *= 2;
  return parts;
}

/** Today's rule: one thread per output for short reductions or many outputs, else a 64-thread tree. */
export function builtinReduce(shape: ReduceShape): ReduceCandidate {
  const { outputs, length } = reduceExtent(shape);
  return candidate(serialReduction(length, outputs) ? 'serial' : 'tree', RULE_WG);
}

/** The candidate a reduction runs: the tuned (or forced) choice where one is given, else the rule. */
export function chooseReduce(env: KernelEnv, shape: ReduceShape): ReduceCandidate {
  const chosen = env.choices?.reduce?.(shape);
  return chosen && reduceShapeFits(chosen, shape) ? chosen : builtinReduce(shape);
}

/** A short name for a candidate, as the tuning cache and getBackendInfo() show it. */
export function reduceCandidateId(c: ReduceCandidate): string {
  return `reduce ${c.mode} wg${c.wg}${(c.parts ?? 1) > 1 ? ` x${c.parts}` : ''}`;
}

/** The candidate a name of `reduceCandidateId` stands for, or undefined for a name it never gives. */
export function parseReduceCandidate(id: string): ReduceCandidate | undefined {
  const match = /^reduce (serial|tree|subgroup) wg(\d+)(?: x(\d+))?$/.exec(id);
  if (!match) return undefined;
  const [wg, parts] = [Number(match[2]), Number(match[3] ?? 1)];
  const mode = match[1] as ReduceCandidate['mode'];
  // The trees halve their width, so every size is a power of two; so are the parts.
  if (!(isPowerOfTwo(wg) && wg <= 1024 && isPowerOfTwo(parts) && parts <= MAX_PARTS)) return undefined;
  // Names never say x1 (one pass), and a serial kernel has no parts.
  if (match[3] === '1' || (parts > 1 && mode === 'serial')) return undefined;
  return candidate(mode, wg, parts);
}

/**
 * Whether the device runs the candidate: its workgroup within the limits (a tree's workgroup
 * memory, two floats per thread, is far below any limit), and subgroup kernels only with subgroups.
 */
export function reduceDeviceFits(c: ReduceCandidate, limits: WorkgroupLimits, subgroups: boolean): boolean {
  if (c.mode === 'subgroup' && !subgroups) return false;
  return (
    c.wg <= limits.maxComputeInvocationsPerWorkgroup &&
    c.wg <= limits.maxComputeWorkgroupSizeX &&
    8 * c.wg + 32 <= limits.maxComputeWorkgroupStorageSize
  );
}

/** Workgroups a two-pass reduction aims for: every core of a CPU emulation, a GPU's cores many times. */
const SPLIT_TARGET = { emulated: 16, gpu: 256 } as const;

/**
 * Two-pass candidates for sum, max and channelSums with too few outputs to fill the device, at the parts
 * `splitParts` gives: the tree (or subgroup tree) at `sizes` threads per part.
 */
function twoPassCandidates(
  shape: ReduceShape,
  modes: ReduceCandidate['mode'][],
  sizes: number[],
  target: number,
) {
  if (!TWO_PASS_OPS.has(shape.reduce)) return [];
  return modes.flatMap((mode) =>
    sizes.flatMap((wg) => {
      const parts = splitParts(shape, wg, target);
      return parts > 1 ? [candidate(mode, wg, parts)] : [];
    }),
  );
}

/**
 * What tuning may time for a reduction, most promising first, the rule's own excluded; subgroup
 * trees stand in for the plain ones where the device has subgroups. CPU emulations (SwiftShader:
 * a barrier costs every thread a switch, so a tree's cost grows with its width) get the other kind
 * of kernel at its cheapest: a 32-thread tree against the serial rule, the serial kernel and a
 * 32-thread tree against the tree rule, and a two-pass sum or max where its outputs leave cores
 * idle. GPUs (which want many workgroups in flight and have cheap barriers) get a two-pass sum or
 * max first where its outputs are few, then the tree against the serial rule, and wider and
 * subgroup trees and the serial kernel against the tree rule. 'thorough' adds every kind at
 * 32..256 threads, in one pass and in two.
 */
export function reduceCandidates(
  shape: ReduceShape,
  env: Pick<KernelEnv, 'matmulVariant' | 'subgroups'>,
  limits: WorkgroupLimits,
  thorough: boolean,
): ReduceCandidate[] {
  const rule = builtinReduce(shape);
  const tree: ReduceCandidate['mode'] = env.subgroups ? 'subgroup' : 'tree';
  const emulated = env.matmulVariant === 'register';
  const target = emulated ? SPLIT_TARGET.emulated : SPLIT_TARGET.gpu;
  let quick: ReduceCandidate[];
  if (emulated) {
    const twoPass = twoPassCandidates(shape, [tree], [32], target);
    quick =
      rule.mode === 'serial'
        ? [candidate(tree, 32), ...twoPass]
        : [candidate('serial', RULE_WG), candidate(tree, 32), candidate('tree', 32), ...twoPass];
  } else {
    const twoPass = twoPassCandidates(shape, [tree], [256], target);
    quick =
      rule.mode === 'serial'
        ? [...twoPass, candidate(tree, RULE_WG), candidate(tree, 256), candidate('serial', 32)]
        : [
            ...twoPass,
            candidate(tree, RULE_WG),
            candidate(tree, 256),
            candidate('tree', 256),
            candidate('serial', RULE_WG),
          ];
  }
  const sizes = [32, 64, 128, 256];
  const trees: ReduceCandidate['mode'][] = ['tree', ...(env.subgroups ? ['subgroup' as const] : [])];
  const more = [
    ...(['serial', ...trees] as const).flatMap((m) => sizes.map((wg) => candidate(m, wg))),
    ...twoPassCandidates(shape, trees, sizes, target),
  ];
  const pool = [...quick, ...(thorough ? more : [])];
  const seen = new Set([reduceCandidateId(rule)]);
  return pool.filter((c) => {
    const id = reduceCandidateId(c);
    if (seen.has(id) || !reduceDeviceFits(c, limits, env.subgroups)) return false;
    seen.add(id);
    return true;
  });
}

const OP_CODES = { sum: 0, max: 1, channelMoments: 0, channelSums: 1, softmax: 0, logSoftmax: 1 } as const;

/**
 * The dispatches of candidate `c` for this reduction. `inputs` are the op's: x for sum, max,
 * softmax and channelMoments; dy, x and the center for channelSums.
 */
export function reduceDispatches(
  c: ReduceCandidate,
  shape: ReduceShape,
  inputs: readonly GPUBuffer[],
): KernelDispatch[] {
  const { outputs, length } = reduceExtent(shape);
  if (outputs === 0) return [];
  const workgroups = c.mode === 'serial' ? Math.ceil(outputs / c.wg) : outputs;
  const code = OP_CODES[shape.reduce];
  if (shape.reduce === 'sum' || shape.reduce === 'max') return axesDispatches(c, shape, inputs[0], code);
  const { reducedStrides } = shape;
  if (shape.reduce === 'softmax' || shape.reduce === 'logSoftmax') {
    const kernel = c.mode === 'subgroup' ? SHADERS.softmaxSubgroup : SHADERS.softmax;
    // The terms of a line are `inner` apart (any inner serves a line of one term).
    const params = { lines: outputs, lineLength: length, inner: reducedStrides[0] ?? 1 };
    const constants = { LOG: code, WG: c.wg, SERIAL: c.mode === 'serial' ? 1 : 0 };
    return [kernel.dispatch({ inputs, params, constants, workgroups })];
  }
  return channelDispatches(c, shape, inputs, code, workgroups);
}

/** channelMoments (MODE 0) or channelSums (MODE 1), one pass or (channelSums) two. */
function channelDispatches(
  c: ReduceCandidate,
  shape: ReduceShape,
  inputs: readonly GPUBuffer[],
  code: number,
  workgroups: number,
): KernelDispatch[] {
  const { outputs, length } = reduceExtent(shape);
  const { keptStrides } = shape;
  const kernel = {
    serial: SHADERS.channelReduce,
    tree: SHADERS.channelReduceTree,
    subgroup: SHADERS.channelReduceSubgroup,
  }[c.mode];
  // The channel axis steps over the `inner` elements after it (a single channel is contiguous).
  const inner = keptStrides[0] ?? 1;
  const params = { channels: outputs, inner, perChannel: length };
  const constants = { MODE: code, SIMPLE: inner === 1, WG: c.wg };
  const [a, x, center] = shape.reduce === 'channelMoments' ? [inputs[0], inputs[0], inputs[0]] : inputs;
  const parts = c.parts ?? 1;
  if (parts === 1) return [kernel.dispatch({ inputs: [a, x, center], params, constants, workgroups })];
  // channelSums in two passes: [C, parts, 2] partial pairs, summed over parts into [2, C].
  const partials = { scratch: 0, bytes: outputs * parts * 2 * 4 };
  const pairs = {
    keptShape: [2, outputs],
    keptStrides: [1, 2 * parts],
    reducedShape: [parts],
    reducedStrides: [2],
  };
  return [
    kernel.dispatch({
      inputs: [a, x, center],
      targets: [partials],
      params,
      constants: { ...constants, PARTS: parts },
      workgroups: outputs * parts,
    }),
    SHADERS.reduceSerial.dispatch({
      inputs: [partials],
      params: { outputs: 2 * outputs, length: parts, keptRank: 2, reducedRank: 1, ...pairs },
      constants: { OP: 0, WG: SECOND_PASS_WG, SIMPLE: 0 },
      workgroups: Math.ceil((2 * outputs) / SECOND_PASS_WG),
    }),
  ];
}

/** The rule's serial kernel over rows of a [outputs, length] temporary: a two-pass reduction's second pass. */
const SECOND_PASS_WG = 64;

/** sum or max (OP `code`): one pass, or two through a temporary of `parts` partial results per output. */
function axesDispatches(
  c: ReduceCandidate,
  shape: ReduceShape,
  x: GPUBuffer,
  code: number,
): KernelDispatch[] {
  const { outputs, length } = reduceExtent(shape);
  const { keptShape, keptStrides, reducedShape, reducedStrides } = shape;
  const kernel = { serial: SHADERS.reduceSerial, tree: SHADERS.reduce, subgroup: SHADERS.reduceSubgroup }[
    c.mode
  ];
  const simple = keptShape.length <= 1 && reducedShape.length <= 1 ? 1 : 0;
  const params = {
    outputs,
    length,
    keptRank: keptShape.length,
    reducedRank: reducedShape.length,
    ...{ keptShape, keptStrides, reducedShape, reducedStrides },
  };
  const constants = { OP: code, WG: c.wg, SIMPLE: simple };
  const parts = c.parts ?? 1;
  if (parts === 1) {
    const workgroups = c.mode === 'serial' ? Math.ceil(outputs / c.wg) : outputs;
    return [kernel.dispatch({ inputs: [x], params, constants, workgroups })];
  }
  const partials = { scratch: 0, bytes: outputs * parts * 4 };
  const rows = { keptShape: [outputs], keptStrides: [parts], reducedShape: [parts], reducedStrides: [1] };
  return [
    kernel.dispatch({
      inputs: [x],
      targets: [partials],
      params,
      constants: { ...constants, PARTS: parts },
      workgroups: outputs * parts,
    }),
    SHADERS.reduceSerial.dispatch({
      inputs: [partials],
      params: { outputs, length: parts, keptRank: 1, reducedRank: 1, ...rows },
      constants: { OP: code, WG: SECOND_PASS_WG, SIMPLE: 1 },
      workgroups: Math.ceil(outputs / SECOND_PASS_WG),
    }),
  ];
}

/** The elements of each input the op's dispatch reads, and of its output: what a timing allocates. */
export function reduceSizes(shape: ReduceShape): { inputs: number[]; output: number } {
  const { outputs, length } = reduceExtent(shape);
  const x = outputs * length;
  if (shape.reduce === 'channelSums') return { inputs: [x, x, outputs], output: 2 * outputs };
  if (shape.reduce === 'channelMoments') return { inputs: [x], output: 2 * outputs };
  return { inputs: [x], output: shape.reduce === 'sum' || shape.reduce === 'max' ? outputs : x };
}

/** Passes over the terms: the moments read x twice (mean first), softmax three times. */
const PASSES: Readonly<Record<ReduceOp, number>> = {
  sum: 1,
  max: 1,
  channelMoments: 2,
  channelSums: 2,
  softmax: 3,
  logSoftmax: 3,
};

/**
 * Multiply-adds one term of a pass costs about as much as (the other families' cost unit). On
 * SwiftShader, W4's step spends 8-14 ns per term and pass in its channel reductions and sum
 * against 2.3 ns per multiply-add in its matmuls and 9 in its convolutions, so with 4 the budget
 * goes to W4's kernels in the order of their time per step (the convolutions, then the channel
 * reductions, then the small matmuls). On GPUs a reduction is bound by memory, and a term costs
 * more multiply-adds still: 4 is the cautious side, which leaves the products first.
 */
const TERM_COST = 4;

/**
 * The tuner's cost measure (tune/families.ts `shapeCost`, multiply-adds for the other families):
 * terms read, one per pass, at TERM_COST each.
 */
export function reduceCost(shape: ReduceShape): number {
  const { outputs, length } = reduceExtent(shape);
  return outputs * length * PASSES[shape.reduce] * TERM_COST;
}
