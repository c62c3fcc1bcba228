/**
 * Every reduction kernel tuning may pick (kernels/reduce-candidates.ts `reduceCandidates`, both
 * pools, 'thorough', plus the rule's own), forced in turn through the backend's `choices`, against
 * the CPU on fresh random inputs, outputs poisoned with NaN: sum and max, the channel moments and
 * sums, softmax and log-softmax, each on odd shapes in every layout the kernels address (terms
 * adjacent, outputs adjacent, neither), max with NaN and infinities. The subgroup trees (where the
 * device has subgroups: SwiftShader's are 4 wide) also run with workgroups of 1 and 2 threads,
 * smaller than a subgroup, so a partial subgroup is combined too. sum, max and channelSums also run
 * in two passes (a tree per part of each output into a temporary, then a serial pass), eagerly and
 * in a compiled step, with empty parts too. Kernels broken on purpose (one subgroup's result dropped, a term
 * skipped, a part's last term lost) fail the same check. Also: the pools keep to the
 * device's limits, offer no subgroup kernel without the feature, and a stored choice the device
 * cannot run is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReduceCandidate, ReduceShape } from '../../src/backend/webgpu/kernel-types';
import {
  builtinReduce,
  chooseReduce,
  parseReduceCandidate,
  reduceCandidateId,
  reduceCandidates,
} from '../../src/backend/webgpu/kernels/reduce-candidates';
import {
  axesReduceShape,
  channelReduceShape,
  reduceExtent,
  softmaxReduceShape,
} from '../../src/backend/webgpu/kernels/reduce-shapes';
import { SHADERS } from '../../src/backend/webgpu/shaders';
import { parseTuned, shapeClass } from '../../src/backend/webgpu/tune/families';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { tensor, withBackend } from '../../src/graph/engine';
import * as ops from '../../src/graph/ops';
import { traceProgram } from '../../src/graph/program/trace';
import type { Shape } from '../../src/graph/shape';
import { ACCUMULATING, cpu, createGpu, expectClose, type Input, onBoth, randn } from './harness';

let gpu: WebGPUBackend;
let forced: ReduceCandidate | undefined;
beforeAll(async () => {
  gpu = await createGpu({ choices: { matmul: () => undefined, reduce: () => forced } });
});
afterAll(() => gpu?.destroy());

/** A row of NaN somewhere, a row of -inf, a row with +inf: max must let NaN win and keep infinities. */
function withSpecials(input: Input): Input {
  const values = input.values.slice();
  const [rows, n] = input.shape;
  if (rows >= 4) {
    values[n + ((n * 7) >> 3)] = Number.NaN;
    values.fill(Number.NEGATIVE_INFINITY, 2 * n, 3 * n);
    values[3 * n + 5] = Number.POSITIVE_INFINITY;
  }
  return { values, shape: input.shape };
}

const AXES_OPS = { sum: ops.sum, max: ops.max };
const LINE_OPS = { softmax: ops.softmax, logSoftmax: ops.logSoftmax };

interface Case {
  readonly label: string;
  /** The reduction the kernel is chosen for, as the kernels key it. */
  readonly shape: ReduceShape;
  run(): ReturnType<typeof onBoth>;
  /** Relative errors are measured against max(|expected|, floor). */
  readonly floor: number;
}

/**
 * Odd sizes: lengths and output counts that fill no workgroup of any size; each op in each layout
 * (rows: terms adjacent; columns: outputs adjacent; strided: neither, the unmerged addressing).
 */
const CASES: Case[] = [
  ...(['sum', 'max'] as const).flatMap((op): Case[] => [
    {
      label: `${op} rows [4, 1031] axis 1`,
      shape: axesReduceShape(op, [4, 1031], [1]),
      run: () => onBoth(gpu, [withSpecials(randn([4, 1031]))], (x) => AXES_OPS[op](x, [1])),
      floor: 1,
    },
    {
      label: `${op} columns [523, 7] axis 0`,
      shape: axesReduceShape(op, [523, 7], [0]),
      run: () => onBoth(gpu, [randn([523, 7])], (x) => AXES_OPS[op](x, [0])),
      floor: 1,
    },
    {
      label: `${op} strided [3, 37, 5] axes 0, 2`,
      shape: axesReduceShape(op, [3, 37, 5], [0, 2]),
      run: () => onBoth(gpu, [randn([3, 37, 5])], (x) => AXES_OPS[op](x, [0, 2])),
      floor: 1,
    },
  ]),
  {
    label: 'sum of all [2051]',
    shape: axesReduceShape('sum', [2051], [0]),
    run: () => onBoth(gpu, [randn([2051])], (x) => ops.sum(x)),
    floor: 1,
  },
  ...(
    [
      [[3, 5, 7, 6], 3],
      [[4, 6, 5, 7], 1],
    ] as const
  ).flatMap(([shape, axis]): Case[] => [
    {
      label: `channelMoments ${shape} axis ${axis}`,
      shape: channelReduceShape('channelMoments', shape, axis),
      // Far from 0 and narrow: the two-pass variance must not cancel.
      run: () => onBoth(gpu, [randn(shape, 2, 100)], (x) => ops.channelMoments(x, axis)),
      floor: 1e-2,
    },
    {
      label: `channelSums ${shape} axis ${axis}`,
      shape: channelReduceShape('channelSums', shape, axis),
      run: () =>
        onBoth(gpu, [randn(shape), randn(shape), randn([shape[axis]])], (dy, x, center) =>
          ops.channelSums(dy, x, center, axis),
        ),
      // Sums of N unit-scale products: compared against their scale, not 0.
      floor: 1,
    },
  ]),
  ...(['softmax', 'logSoftmax'] as const).flatMap((op): Case[] =>
    (
      [
        [[5, 1029], 1],
        [[3, 300, 3], 1],
        [[300, 9], 0],
      ] as const
    ).map(([shape, axis]) => ({
      label: `${op} ${shape} axis ${axis}`,
      shape: softmaxReduceShape(op, shape, axis),
      run: () => onBoth(gpu, [randn(shape, 3)], (x) => LINE_OPS[op](x, axis)),
      floor: 1e-3,
    })),
  ),
];

const ENVS = [
  { matmulVariant: 'register', subgroups: true },
  { matmulVariant: 'tiled', subgroups: true },
] as const;

const TWO_PASS: ReduceCandidate[] = [
  { kind: 'reduce', mode: 'tree', wg: 32, parts: 4 },
  { kind: 'reduce', mode: 'tree', wg: 64, parts: 32 },
  { kind: 'reduce', mode: 'subgroup', wg: 32, parts: 8 },
  { kind: 'reduce', mode: 'subgroup', wg: 64, parts: 32 },
];
const fits = (k: ReduceCandidate) => k.mode !== 'subgroup' || gpu.env.subgroups;

/** Every candidate either pool offers for a case, deduplicated, with the rule's; subgroup ones only with the feature. */
function everyCandidate(c: Case): ReduceCandidate[] {
  const all = [
    builtinReduce(c.shape),
    ...ENVS.flatMap((env) =>
      reduceCandidates(c.shape, { ...env, subgroups: gpu.env.subgroups }, gpu.device.limits, true),
    ),
    // Workgroups smaller than a subgroup (SwiftShader's 4): a partial subgroup's result.
    ...(gpu.env.subgroups
      ? [1, 2].map((wg): ReduceCandidate => ({ kind: 'reduce', mode: 'subgroup', wg }))
      : []),
    // Two passes for sum, max and channelSums: a few parts, and more parts than some outputs have
    // terms (empty parts).
    ...(['sum', 'max', 'channelSums'].includes(c.shape.reduce) ? TWO_PASS.filter(fits) : []),
  ];
  return [...new Map(all.map((k) => [reduceCandidateId(k), k])).values()];
}

async function check(c: Case, candidate: ReduceCandidate): Promise<void> {
  forced = candidate;
  const label = `${c.label}, ${reduceCandidateId(candidate)}`;
  expect(reduceCandidateId(chooseReduce(gpu.env, c.shape)), label).toBe(reduceCandidateId(candidate));
  const r = await c.run();
  expectClose(label, r.gpu, r.cpu, ACCUMULATING, c.floor);
}

describe('every reduction candidate tuning may pick, against the CPU', () => {
  for (const c of CASES) {
    it(`${c.label}: each candidate`, async () => {
      const candidates = everyCandidate(c);
      expect(candidates.length).toBeGreaterThanOrEqual(gpu.env.subgroups ? 14 : 8);
      for (const k of candidates) await check(c, k);
    }, 120_000);
  }

  it('a compiled step runs a two-pass sum through its temporary, step after step', async () => {
    forced = { kind: 'reduce', mode: 'tree', wg: 32, parts: 16 };
    const shape: Shape = [3, 2049];
    const program = traceProgram(
      { inputs: [{ name: 'x', shape }], state: [] },
      (input) => ({ outputs: [['y', ops.sum(input.get('x')!, [1])]], state: new Map() }),
      gpu,
    );
    const step = gpu.compile(program, { reads: ['y'] });
    try {
      for (let k = 0; k < 2; k++) {
        const x = randn(shape);
        step.write('x', x.values);
        const [y] = await step.step(['y']);
        const expected = await withBackend(cpu, () => ops.sum(tensor(x.values, shape), [1])).data();
        expectClose(`two-pass sum, step ${k}`, [y], [expected], ACCUMULATING, 1);
      }
      expect(gpu.counters.scratchBytes).toBeGreaterThanOrEqual(3 * 16 * 4);
    } finally {
      step.destroy();
    }
  });

  it('the subgroup kernels were run, where the device has subgroups', () => {
    // SwiftShader (Node's Dawn and Chromium) has them; a device without them tests the rest.
    if (!gpu.device.features.has('subgroups' as GPUFeatureName)) return;
    expect(gpu.env.subgroups).toBe(true);
    expect(everyCandidate(CASES[0]).some((k) => k.mode === 'subgroup')).toBe(true);
  });
});

/** Runs `body` with `kernel`'s WGSL edited by `edit` (a fresh pipeline: the cache keys on the source). */
async function withBrokenKernel(kernel: { code: string }, edit: [string, string], body: () => Promise<void>) {
  const original = kernel.code;
  expect(original).toContain(edit[0]);
  (kernel as { code: string }).code = original.replace(edit[0], edit[1]);
  try {
    await body();
  } finally {
    (kernel as { code: string }).code = original;
  }
}

describe('a broken candidate fails the check', () => {
  const rows = CASES[0];
  const channels = CASES.find((c) => c.label.startsWith('channelSums'))!;

  it('a subgroup tree that drops its first subgroup', async () => {
    if (!gpu.env.subgroups) return;
    const drop: [string, string] = [
      'for (var i = nextLeader(0u);',
      'for (var i = nextLeader(nextLeader(0u) + 1u);',
    ];
    const subgroup: ReduceCandidate = { kind: 'reduce', mode: 'subgroup', wg: 64 };
    await withBrokenKernel(SHADERS.reduceSubgroup, drop, () =>
      expect(check(rows, subgroup)).rejects.toThrow(),
    );
    await withBrokenKernel(SHADERS.channelReduceSubgroup, drop, () =>
      expect(check(channels, subgroup)).rejects.toThrow(),
    );
    await check(rows, subgroup);
  });

  it('a serial or tree kernel that skips one term', async () => {
    const serial: ReduceCandidate = { kind: 'reduce', mode: 'serial', wg: 32 };
    const tree: ReduceCandidate = { kind: 'reduce', mode: 'tree', wg: 32 };
    await withBrokenKernel(SHADERS.reduceSerial, ['r < count; r++', 'r + 1u < count; r++'], () =>
      expect(check(rows, serial)).rejects.toThrow(),
    );
    await withBrokenKernel(
      SHADERS.reduce,
      ['var r = begin + lid;', 'var r = begin + lid + select(0u, WG, lid == 3u);'],
      () => expect(check(rows, tree)).rejects.toThrow(),
    );
    // A two-pass reduction whose second part loses its last term.
    const twoPass: ReduceCandidate = { kind: 'reduce', mode: 'tree', wg: 32, parts: 8 };
    const lastTerm = 'let end = min(begin + chunk, count);';
    await withBrokenKernel(
      SHADERS.reduce,
      [lastTerm, `${lastTerm.slice(0, -1)} - select(0u, 1u, g % PARTS == 1u);`],
      () => expect(check(rows, twoPass)).rejects.toThrow(),
    );
    await check(rows, twoPass);
    await check(rows, serial);
    await check(rows, tree);
  });
});

describe('reduction candidates and the device', () => {
  const small = {
    maxComputeInvocationsPerWorkgroup: 64,
    maxComputeWorkgroupSizeX: 64,
    maxComputeWorkgroupSizeY: 64,
    maxComputeWorkgroupStorageSize: 16384,
  };

  it('offers no workgroup beyond the limits, never the rule again, and no subgroup kernel without the feature', () => {
    for (const c of CASES) {
      for (const env of ENVS) {
        for (const subgroups of [true, false]) {
          const pool = reduceCandidates(c.shape, { ...env, subgroups }, small, true);
          const label = `${c.label} ${env.matmulVariant} subgroups ${subgroups}`;
          expect(pool.length, label).toBeGreaterThan(0);
          expect(pool.every((k) => k.wg <= 64)).toBe(true);
          expect(
            pool.some((k) => k.mode === 'subgroup'),
            label,
          ).toBe(subgroups);
          const ids = pool.map(reduceCandidateId);
          expect(ids).not.toContain(reduceCandidateId(builtinReduce(c.shape)));
          expect(new Set(ids).size).toBe(ids.length);
        }
      }
    }
  });

  it('names round-trip, and a stored choice the device cannot run is refused', () => {
    for (const k of everyCandidate(CASES[0])) expect(parseReduceCandidate(reduceCandidateId(k))).toEqual(k);
    for (const id of [
      'reduce tree wg0',
      'reduce tree wg48',
      'reduce serial wg2048',
      'reduce fast wg64',
      'tiled 16',
      'reduce serial wg64 x4',
      'reduce tree wg64 x1',
      'reduce tree wg64 x3',
      'reduce tree wg64 x512',
    ]) {
      expect(parseReduceCandidate(id), id).toBeUndefined();
    }
    const shape = CASES[0].shape;
    expect(parseTuned('reduce tree wg256', shape, small, { subgroups: true })).toBeUndefined();
    expect(parseTuned('reduce tree wg64', shape, small, { subgroups: false })).toEqual({
      kind: 'reduce',
      mode: 'tree',
      wg: 64,
    });
    // A subgroup kernel stored on a device with subgroups, read where there are none (or they are off).
    expect(parseTuned('reduce subgroup wg64', shape, small, { subgroups: true })).toEqual({
      kind: 'reduce',
      mode: 'subgroup',
      wg: 64,
    });
    expect(parseTuned('reduce subgroup wg64', shape, small, { subgroups: false })).toBeUndefined();
    expect(parseTuned('reduce subgroup wg64', shape, small)).toBeUndefined();
    // Two passes: sum, max and channelSums only.
    expect(parseReduceCandidate('reduce subgroup wg64 x16')).toEqual({
      kind: 'reduce',
      mode: 'subgroup',
      wg: 64,
      parts: 16,
    });
    expect(parseTuned('reduce tree wg64 x16', shape, small)).toEqual({
      kind: 'reduce',
      mode: 'tree',
      wg: 64,
      parts: 16,
    });
    const moments = channelReduceShape('channelMoments', [64, 26, 26, 8], 3);
    expect(parseTuned('reduce tree wg64 x16', moments, small)).toBeUndefined();
    const sums = channelReduceShape('channelSums', [64, 26, 26, 8], 3);
    expect(parseTuned('reduce tree wg64 x16', sums, small)).toEqual(
      parseReduceCandidate('reduce tree wg64 x16'),
    );
    // Another family's name for a reduction's class (a hand-edited cache) is not a reduction kernel.
    expect(parseTuned('conv wg64 per1', shape, small, { subgroups: true })).toBeUndefined();
  });

  it('classes key on the op, the layout and buckets of outputs and terms', () => {
    expect(reduceExtent(axesReduceShape('sum', [4, 1031], [1]))).toEqual({
      outputs: 4,
      length: 1031,
      layout: 'rows',
    });
    expect(reduceExtent(axesReduceShape('sum', [523, 7], [0])).layout).toBe('columns');
    expect(reduceExtent(axesReduceShape('sum', [3, 37, 5], [0, 2])).layout).toBe('strided');
    expect(reduceExtent(channelReduceShape('channelSums', [64, 26, 26, 8], 3))).toEqual({
      outputs: 8,
      length: 43264,
      layout: 'columns',
    });
    expect(reduceExtent(softmaxReduceShape('softmax', [3, 300, 3], 1)).layout).toBe('strided');
    expect(shapeClass(channelReduceShape('channelSums', [64, 26, 26, 8], 3))).toBe(
      'channelSums columns 8x65536',
    );
    expect(shapeClass(axesReduceShape('sum', [100, 1000], [0]))).toBe(
      shapeClass(axesReduceShape('sum', [128, 1000], [0])),
    );
    expect(shapeClass(axesReduceShape('sum', [100, 1000], [0]))).not.toBe(
      shapeClass(axesReduceShape('max', [100, 1000], [0])),
    );
  });
});
