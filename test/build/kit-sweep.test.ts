/**
 * The GPU kit's candidate sweep (bench/node/sweep.ts) on SwiftShader, a small part of it: it finds
 * the tuned families through the kernels' own calls, offers exactly the families' candidates, forces
 * the one asked for, and fails a row whose kernel is wrong or refused, and only that row.
 * Kernels broken on purpose (below) stand in for those a real GPU's compiler or subgroup size breaks.
 */
import { expect, test } from 'vitest';
import { candidateSweep, sweepCases } from '../../bench/node/sweep';
import type { TunedCandidate } from '../../src/backend/webgpu/kernel-types';
import { builtinFor, candidatesFor, tunedId } from '../../src/backend/webgpu/tune/families';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { Random } from '../../src/graph/random';

const FILTER = /^(matmul \d+x\d+x\d+: tiled (8|16)|fusedConv2d .*: conv wg(64|32) per1)$/;

/**
 * Two broken kernels. tiled 8 becomes 64 x 64 threads, past every workgroup limit: its pipeline is
 * refused and the run throws. The conv forward's wg64 per1 gets 6 filters per item where the shader
 * accumulates 4 or 8: filters 4 and 5 of each block come out as bias alone. The sound ones run after
 * each (tiled 16; wg32 per1, offered for the filter gradient) and must pass: a broken kernel fails
 * its own row only.
 */
const BROKEN: Record<string, TunedCandidate> = {
  'tiled 8': { kind: 'tiled', ts: 64 },
  'conv wg64 per1': { kind: 'conv', wg: 64, per: 1, filters: 6 as 4 },
};

test('the sweep fails a broken candidate and passes a sound one, with the families own candidates', async () => {
  const { rows, plans } = await candidateSweep({
    seed: 11,
    filter: FILTER,
    substitute: (_, c) => BROKEN[tunedId(c)] ?? c,
  });
  const gpu = await WebGPUBackend.create();
  try {
    // Every case's families are planned (matmul, conv, and any family tuning gains, such as the
    // reductions, which the sweep finds with no change); each plan's candidates are the families'
    // own for its shapes.
    const families = new Set(plans.map((p) => p.family));
    expect([...families].sort()).toEqual(['conv', 'matmul', 'reduce']);
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
  expect(rows.map((r) => r.candidate)).toEqual(['tiled 8', 'tiled 16', 'conv wg64 per1', 'conv wg32 per1']);
  expect(byId['tiled 8'].pass).toBe(false);
  expect(byId['tiled 8'].error, JSON.stringify(byId['tiled 8'])).toBeTruthy();
  expect(byId['tiled 16'].pass, JSON.stringify(byId['tiled 16'])).toBe(true);
  expect(byId['conv wg64 per1'].pass).toBe(false);
  expect(byId['conv wg64 per1'].maxError).toBeGreaterThan(1e-2);
  expect(byId['conv wg32 per1'].pass, JSON.stringify(byId['conv wg32 per1'])).toBe(true);
  // A case's sizes are fresh for each seed.
  expect(sweepCases(new Random(1))[0].shapes).not.toEqual(sweepCases(new Random(2))[0].shapes);
}, 240_000);
