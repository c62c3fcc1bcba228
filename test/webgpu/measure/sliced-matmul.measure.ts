/**
 * Not a test: per-kernel time of the long-K matmul candidates (split-K across dispatches, split-K
 * by subgroups) against the rule and the other candidates, on weight-gradient shapes: m = n = 64
 * with K = 4096 and 8192, W2's weight gradients (MLP 784-256-128-10, batch 128: K = 128), and a
 * [256, 10] head over K = 60000 (full-batch). Each figure is the tuner's own timer (tune/measure.ts:
 * GPU timestamps where the device has them, a pass of repeated runs of every dispatch of the
 * candidate), median of interleaved rounds (candidate 1, 2, ..., 1, 2, ...) so the shared machine's
 * load hits all alike. /proc/loadavg printed with every shape. SLICED_VARIANT=tiled times the
 * real-GPU rule and pool instead of the CPU emulation's; SLICED_ROUNDS: rounds (default 5).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, it } from 'vitest';
import type { MatmulCandidate, MatmulShape } from '../../../src/backend/webgpu/kernel-types';
import {
  builtinMatmul,
  candidateId,
  matmulCandidates,
} from '../../../src/backend/webgpu/kernels/matmul-candidates';
import { shapeClass } from '../../../src/backend/webgpu/tune/families';
import { deviceTimer } from '../../../src/backend/webgpu/tune/measure';
import { WebGPUBackend } from '../../../src/backend/webgpu/webgpu-backend';

const variant = process.env.SLICED_VARIANT === 'tiled' ? 'tiled' : 'register';
const rounds = Number(process.env.SLICED_ROUNDS ?? 5);
let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await WebGPUBackend.create({ matmulVariant: variant });
  console.log(`${gpu.description}; rule '${variant}', subgroups ${gpu.env.subgroups}`);
});
afterAll(() => gpu?.destroy());

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');
const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

const SHAPES: readonly [string, MatmulShape][] = [
  ['64x64 K=4096', { m: 64, n: 64, k: 4096, transposeA: true, transposeB: false }],
  ['64x64 K=8192', { m: 64, n: 64, k: 8192, transposeA: true, transposeB: false }],
  ['W2 dW1 784x256 K=128', { m: 784, n: 256, k: 128, transposeA: true, transposeB: false }],
  ['W2 dW2 256x128 K=128', { m: 256, n: 128, k: 128, transposeA: true, transposeB: false }],
  ['head 256x10 K=60000', { m: 256, n: 10, k: 60000, transposeA: true, transposeB: false }],
];

/** The rule, the pool's quick candidates, and split-K across dispatches at other part counts. */
function candidates(shape: MatmulShape): MatmulCandidate[] {
  const rule = builtinMatmul(gpu.env, shape);
  const pool = matmulCandidates(shape, gpu.env, gpu.device.limits, false);
  const body = rule.kind === 'vec4' || rule.kind === 'register' || rule.kind === 'tiled' ? rule : null;
  const extra: MatmulCandidate[] = body
    ? [2, 4, 16, 32].map((slices) => ({ kind: 'slicedK', slices, body }))
    : [];
  const all = [rule, ...pool, ...extra, { kind: 'splitK', split: 64 } as const];
  if (gpu.env.subgroups) all.push({ kind: 'splitK', split: 64, subgroups: true });
  return [...new Map(all.map((c) => [candidateId(c), c])).values()];
}

it('long-K matmul candidates, ms per product', async () => {
  const time = deviceTimer(gpu, 40);
  for (const [name, shape] of SHAPES) {
    const list = candidates(shape);
    const times = new Map<string, number[]>(list.map((c) => [candidateId(c), []]));
    for (let r = 0; r < rounds; r++) {
      for (const c of list) times.get(candidateId(c))!.push(await time(c, shape));
    }
    const rule = median(times.get(candidateId(list[0]))!);
    const rows = [...times].map(([id, t]) => [id, median(t)] as const).sort((p, q) => p[1] - q[1]);
    console.log(`\n${name} (load ${loadavg()}), rule ${candidateId(list[0])} ${rule.toFixed(3)} ms`);
    for (const [id, ms] of rows)
      console.log(`  ${id.padEnd(26)} ${ms.toFixed(3)} ms  ${(rule / ms).toFixed(2)}x`);
  }
});

it("quick tuning's pick for each shape (the tuner as a compiled step asks it, default budget)", async () => {
  const tuned = await WebGPUBackend.create({ matmulVariant: variant, tuning: 'quick', tuningStore: null });
  try {
    for (const [name, shape] of SHAPES) {
      await tuned.tuner.request([shape]);
      const info = tuned.tuner.info();
      const choice = info.choices.find((c) => c.shape === shapeClass(shape));
      console.log(
        `${name}: ${choice ? `${choice.kernel} (rule ${choice.builtin}, ${choice.speedup.toFixed(2)}x)` : 'rule kept'}; ` +
          `${info.timedRuns} runs so far, ${info.spentMs.toFixed(0)} ms (load ${loadavg()})`,
      );
    }
  } finally {
    tuned.destroy();
  }
});
