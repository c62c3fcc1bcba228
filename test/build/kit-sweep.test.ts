/**
 * The GPU kit's candidate sweep (bench/node/sweep.ts) on SwiftShader, a small part of it: it finds
 * the tuned families through the kernels' own calls, offers exactly the families' candidates, forces
 * the one asked for, and fails a row whose kernel is wrong or refused, and only that row.
 * A split-K of 3 threads (its tree of halvings drops the third thread's partial sums, which is why
 * the device check asks for a power of two) stands in for a kernel a real GPU's compiler or
 * subgroup size breaks.
 */
import { expect, test } from 'vitest';
import { candidateSweep, sweepCases } from '../../bench/node/sweep';
import type { TunedCandidate } from '../../src/backend/webgpu/kernel-types';
import { builtinFor, candidatesFor, tunedId } from '../../src/backend/webgpu/tune/families';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { Random } from '../../src/graph/random';

const FILTER = /^matmul \d+x\d+x\d+: (splitK 32|tiled 8|tiled 16)$/;

/**
 * Two broken kernels: tiled 8 becomes 64 x 64 threads (past every workgroup limit, so its pipeline
 * is refused and the run throws), split-K 32 becomes 3 threads (wrong sums). tiled 16 runs after
 * the refused one and must pass: a refusal fails its own row only.
 */
const BROKEN: Record<string, TunedCandidate> = {
  'tiled 8': { kind: 'tiled', ts: 64 },
  'splitK 32': { kind: 'splitK', split: 3 },
};

test('the sweep fails a broken candidate and passes a sound one, with the families own candidates', async () => {
  const { rows, plans } = await candidateSweep({
    seed: 11,
    filter: FILTER,
    substitute: (family, c) => (family === 'matmul' ? (BROKEN[tunedId(c)] ?? c) : c),
  });
  const gpu = await WebGPUBackend.create();
  try {
    // Every case's families are planned; each plan's candidates are the families' own for its shapes.
    const families = new Set(plans.map((p) => p.family));
    expect([...families].sort()).toEqual(['conv', 'matmul']);
    for (const plan of plans) {
      const ids = plan.shapes.flatMap((s) => [
        builtinFor(gpu.env, s),
        ...candidatesFor(s, gpu.env, gpu.device.limits, true),
      ]);
      expect(plan.candidates.sort()).toEqual([...new Set(ids.map(tunedId))].sort());
    }
  } finally {
    gpu.destroy();
  }
  const [plain] = plans.filter((p) => /^matmul \d+x\d+x\d+$/.test(p.case));
  expect(plain.classes).toHaveLength(3); // the product and both gradients' transposed products
  const byId = Object.fromEntries(rows.map((r) => [r.candidate, r]));
  expect(rows.map((r) => r.candidate)).toEqual(['tiled 8', 'tiled 16', 'splitK 32']);
  expect(byId['tiled 8'].pass).toBe(false);
  expect(byId['tiled 8'].error, JSON.stringify(byId['tiled 8'])).toBeTruthy();
  expect(byId['tiled 16'].pass, JSON.stringify(byId['tiled 16'])).toBe(true);
  expect(byId['splitK 32'].pass).toBe(false);
  expect(byId['splitK 32'].maxError).toBeGreaterThan(1e-2);
  // A case's sizes are fresh for each seed.
  expect(sweepCases(new Random(1))[0].shapes).not.toEqual(sweepCases(new Random(2))[0].shapes);
}, 240_000);
