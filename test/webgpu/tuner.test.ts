/**
 * The autotuner (src/backend/webgpu/tune/) on a real device, with the timing injected so that no
 * assertion depends on real speed: 'off' keeps the rule and times nothing, a deliberately slowed
 * candidate is never picked, the budget bounds the timed runs, choices persist keyed by adapter
 * and library version, and a compiled step swaps the tuned kernel in and still computes the CPU's
 * values.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { version } from '../../package.json';
import type { MatmulShape } from '../../src/backend/webgpu/kernel-types';
import { chooseConv, convCandidateId } from '../../src/backend/webgpu/kernels/conv-candidates';
import { chooseMatmul } from '../../src/backend/webgpu/kernels/matmul';
import { builtinMatmul, candidateId } from '../../src/backend/webgpu/kernels/matmul-candidates';
import { TuningRunError } from '../../src/backend/webgpu/tune/measure';
import { FileTuningStore, MemoryTuningStore, tuningKey } from '../../src/backend/webgpu/tune/store';
import { MIN_TUNED_MULTIPLY_ADDS, shapeClass } from '../../src/backend/webgpu/tune/tuner';
import { DeviceLostError } from '../../src/errors';
import { tensor, withBackend } from '../../src/graph/engine';
import * as ops from '../../src/graph/ops';
import { traceProgram } from '../../src/graph/program/trace';
import { cpu, expectClose, randn } from './harness';
import { destroyTunedGpus, tunedGpu } from './tuned-gpu';

afterAll(destroyTunedGpus);

const W2_FORWARD: MatmulShape = { m: 128, n: 256, k: 784, transposeA: false, transposeB: false };
const DW: MatmulShape = { m: 256, n: 12, k: 128, transposeA: true, transposeB: false };

describe('autotuner', () => {
  it("'off' keeps today's rule and times nothing", async () => {
    const { gpu, runs } = await tunedGpu(() => 1, { tuning: 'off' });
    expect(await gpu.tuner.request([W2_FORWARD, DW])).toBe(false);
    expect(runs).toEqual([]);
    expect(chooseMatmul(gpu.env, W2_FORWARD)).toEqual(builtinMatmul(gpu.env, W2_FORWARD));
  });

  it('picks the fastest candidate and never a deliberately slowed one', async () => {
    // 'vec4 8x8' is slowed 100x, 'vec4 16x4' is the fastest, the rule ('vec4 8x4') takes 10.
    const { gpu, runs } = await tunedGpu((id) => (id === 'vec4 8x8' ? 1000 : id === 'vec4 16x4' ? 4 : 10));
    expect(await gpu.tuner.request([W2_FORWARD])).toBe(true);
    expect(candidateId(chooseMatmul(gpu.env, W2_FORWARD))).toBe('vec4 16x4');
    expect(runs).toContain('vec4 8x8');
    const [choice] = gpu.tuner.info().choices;
    expect(choice).toMatchObject({ kernel: 'vec4 16x4', builtin: 'vec4 8x4', ms: 4, builtinMs: 10 });
    expect(choice.speedup).toBeCloseTo(2.5);
  });

  it('keeps the rule when no candidate beats it by the margin', async () => {
    const { gpu } = await tunedGpu((id) => (id === 'vec4 8x4' ? 10 : 9.8));
    expect(await gpu.tuner.request([W2_FORWARD])).toBe(false);
    expect(candidateId(chooseMatmul(gpu.env, W2_FORWARD))).toBe('vec4 8x4');
  });

  it('leaves products of fewer than MIN_TUNED_MULTIPLY_ADDS multiply-adds to the rule, untimed', async () => {
    const { gpu, runs } = await tunedGpu(() => 10, { tuningMinMultiplyAdds: MIN_TUNED_MULTIPLY_ADDS });
    // W3's first product (batch 16, 4 features, 16 units): 1,024 multiply-adds; one just at the bound.
    const tiny: MatmulShape = { m: 16, k: 4, n: 16, transposeA: false, transposeB: false };
    const atBound: MatmulShape = { m: 64, k: 16, n: 64, transposeA: false, transposeB: false };
    expect(gpu.tuner.wants([tiny])).toBe(false);
    await gpu.tuner.request([tiny, atBound]);
    expect(gpu.tuner.info().choices.map((c) => c.shape)).toEqual([shapeClass(atBound)]);
    expect(runs.length).toBeGreaterThan(0);
    expect(chooseMatmul(gpu.env, tiny)).toEqual(builtinMatmul(gpu.env, tiny));
  });

  it('stops timing when the budget is spent, counted in timed runs', async () => {
    // Each run costs 10 ms on the injected clock; a 35 ms budget allows the runs started before 35.
    const { gpu, runs } = await tunedGpu(() => 10, { tuningBudgetMs: 35 });
    await gpu.tuner.request([W2_FORWARD, DW]);
    expect(runs.length).toBe(4);
    const info = gpu.tuner.info();
    expect(info.timedRuns).toBe(4);
    expect(info.choices.map((c) => c.shape)).toEqual([shapeClass(W2_FORWARD)]);
    expect(info.spentMs).toBe(40);
    // The class left untimed keeps the rule.
    expect(chooseMatmul(gpu.env, DW)).toEqual(builtinMatmul(gpu.env, DW));
  });

  it('a candidate whose run fails is skipped (never picked), and the other candidates are still timed', async () => {
    const failing = 'vec4 16x4';
    const { gpu, runs } = await tunedGpu((id) => {
      if (id === failing) throw new TuningRunError(`timing ${id}: its run was refused`);
      return id === 'vec4 8x8' ? 5 : 10;
    });
    expect(await gpu.tuner.request([W2_FORWARD])).toBe(true);
    expect(runs).toContain(failing);
    expect(runs.indexOf('register wg128')).toBeGreaterThan(runs.indexOf(failing));
    expect(candidateId(chooseMatmul(gpu.env, W2_FORWARD))).toBe('vec4 8x8');
    const info = gpu.tuner.info();
    expect(info.failedRuns).toBe(1);
    expect(info.error).toBeUndefined();
  });

  it('stops at the device loss: no run after it, the rule kept, and requests still resolve', async () => {
    const lost = new DeviceLostError('WebGPU device on test was lost (unknown): gone');
    let timed = 0;
    const { gpu, runs } = await tunedGpu(() => {
      // The third run meets the loss; the timer reports it as the loss (measure.ts does).
      if (++timed === 3) throw lost;
      return 10;
    });
    expect(await gpu.tuner.request([W2_FORWARD, DW])).toBe(false);
    expect(runs).toHaveLength(3);
    expect(gpu.tuner.info().error).toBe(`tuning stopped: ${lost.message}`);
    expect(gpu.tuner.info().pending).toBe(0);
    expect(chooseMatmul(gpu.env, W2_FORWARD)).toEqual(builtinMatmul(gpu.env, W2_FORWARD));
    expect(gpu.tuner.wants([DW])).toBe(false);
    expect(await gpu.tuner.request([DW])).toBe(false);
    expect(runs).toHaveLength(3);
  });

  it('persists choices keyed by adapter and library version, and reads them back untimed', async () => {
    const store = new MemoryTuningStore();
    const first = await tunedGpu((id) => (id === 'register wg128' ? 1 : 10), { tuningStore: store });
    await first.gpu.tuner.request([DW]);
    const key = first.gpu.tuner.key;
    expect(key).toContain(`webgpu-trainer ${version}`);
    expect(key).toContain(first.gpu.context.adapterIdentity.vendor ?? '');
    expect(Object.keys(await store.load(key))).toEqual([shapeClass(DW)]);

    const second = await tunedGpu(() => 10, { tuningStore: store });
    expect(await second.gpu.tuner.request([DW])).toBe(true);
    expect(second.runs).toEqual([]);
    expect(candidateId(chooseMatmul(second.gpu.env, DW))).toBe('register wg128');
    expect(second.gpu.tuner.info().fromCache).toBe(1);

    expect(tuningKey({ vendor: 'a', driver: '1' })).not.toBe(tuningKey({ vendor: 'a', driver: '2' }));
    expect(await store.load(tuningKey({ vendor: 'another' }))).toEqual({});
  });

  it('keeps its cache in a file in Node, and reads a corrupt one as empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tuning-'));
    try {
      const path = join(dir, 'sub', 'tuning.json');
      const store = new FileTuningStore(path);
      const record = { candidate: 'tiled 8', ms: 1, builtin: 'tiled 16', builtinMs: 2 };
      await store.save('k1', { c: record });
      await store.save('k2', { d: record });
      expect(await new FileTuningStore(path).load('k1')).toEqual({ c: record });
      expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')))).toEqual(['k1', 'k2']);
      writeFileSync(path, '{"k1": {"c": {"candidate": 3}}');
      expect(await store.load('k1')).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a compiled step swaps the tuned kernel in after its request and matches the CPU', async () => {
    const { gpu } = await tunedGpu((id) => (id === 'register wg32' ? 1 : 10));
    const [m, k, n] = [40, 24, 12];
    const program = traceProgram(
      { inputs: [{ name: 'x', shape: [m, k] }], state: [{ name: 'w', shape: [k, n] }] },
      (input, state) => ({
        outputs: [['y', ops.matmul(input.get('x')!, state.get('w')!)]],
        state: new Map([['w', state.get('w')!]]),
      }),
      gpu,
    );
    const step = gpu.compile(program, { reads: ['y'] });
    const x = randn([m, k]);
    const w = randn([k, n]);
    step.load(new Map([['w', w.values]]));
    step.write('x', x.values);
    const before = gpu.counters.pipelinesCreated;
    const [y0] = await step.step(['y']);
    await gpu.tuner.settled();
    const shape = { m, n, k, transposeA: false, transposeB: false };
    expect(candidateId(chooseMatmul(gpu.env, shape))).toBe('register wg32');
    const [y1] = await step.step(['y']);
    // The swap compiled the chosen kernel (the injected timer compiles nothing).
    expect(gpu.counters.pipelinesCreated).toBe(before + 1);
    const expected = await withBackend(cpu, () =>
      ops.matmul(tensor(x.values, x.shape), tensor(w.values, w.shape)),
    ).data();
    expectClose('step before tuning', [y0], [expected], 1e-4, 1);
    expectClose('step after tuning', [y1], [expected], 1e-4, 1);
    step.destroy();
  });

  it("a compiled step's convolutions are tuned too: the picked kernel is swapped in and matches the CPU", async () => {
    // 4 filters per item is made the fastest forward kernel; the adjoints keep their rules.
    const { gpu, runs } = await tunedGpu((id) => (id === 'conv wg64 per32 f4' ? 1 : 10));
    const [xs, ws] = [
      [2, 6, 5, 3],
      [3, 3, 3, 6],
    ];
    const opts = { strides: [1, 1] as [number, number], padding: 'same' as const };
    const program = traceProgram(
      { inputs: [{ name: 'x', shape: xs }], state: [{ name: 'w', shape: ws }] },
      (input, state) => ({
        outputs: [['y', ops.conv2d(input.get('x')!, state.get('w')!, opts)]],
        state: new Map([['w', state.get('w')!]]),
      }),
      gpu,
    );
    const step = gpu.compile(program, { reads: ['y'] });
    const x = randn(xs);
    const w = randn(ws);
    step.load(new Map([['w', w.values]]));
    step.write('x', x.values);
    const [y0] = await step.step(['y']);
    await gpu.tuner.settled();
    expect(runs[0]).toBe('conv wg64 per32');
    const shape = { op: 'conv2d' as const, x: xs, w: ws, ...opts };
    expect(convCandidateId(chooseConv(gpu.env, shape))).toBe('conv wg64 per32 f4');
    expect(gpu.tuner.info().choices).toEqual([
      expect.objectContaining({
        shape: shapeClass(shape),
        kernel: 'conv wg64 per32 f4',
        builtin: 'conv wg64 per32',
      }),
    ]);
    const [y1] = await step.step(['y']);
    const expected = await withBackend(cpu, () =>
      ops.conv2d(tensor(x.values, x.shape), tensor(w.values, w.shape), opts),
    ).data();
    expectClose('conv step before tuning', [y0], [expected], 1e-4, 1);
    expectClose('conv step after tuning', [y1], [expected], 1e-4, 1);
    step.destroy();
  });
});
