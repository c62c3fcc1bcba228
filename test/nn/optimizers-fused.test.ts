/**
 * The fused optimizer updates (the default) against the unfused formulas on the CPU backend, over
 * several steps with schedules, clipping, Nesterov momentum and AdamW's decay: on float32 they
 * round at the same points, so they agree to the last bit. The WebGPU twin is in
 * test/webgpu/optimizer.test.ts.
 */

import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import { tensor, withBackend } from '../../src/graph/engine';
import { AdamW, optimizerFromConfig, SGD, type Trainable } from '../../src/nn/optimizers';
import { FUSED_CASES, fusedVsUnfused } from '../webgpu/fused-optimizers';
import { recordingCpu } from './helpers';

describe('fused optimizer updates on the CPU', () => {
  it.each(FUSED_CASES)('%s: fused equals unfused', async (_name, spec) => {
    const worst = await fusedVsUnfused(new CpuBackend('float32'), spec, 11);
    expect(worst).toBe(0);
  });

  it.each(FUSED_CASES)('%s: fused equals unfused in float64', async (_name, spec) => {
    const worst = await fusedVsUnfused(new CpuBackend('float64'), spec, 12);
    expect(worst).toBeLessThan(1e-6);
  });

  it('runs one adamUpdate op per weight fused, the unfused formulas with fused: false', () => {
    const ran = (fused: boolean): string[] => {
      const { backend, ran: ops } = recordingCpu();
      withBackend(backend, () => {
        const w: Trainable = { name: 'dense_1.kernel', value: tensor([1, 2, 3], [3]) };
        new AdamW({ fused }).applyGradients([w], [tensor([0.5, -1, 2], [3])]);
      });
      return ops;
    };
    expect(ran(true)).toEqual(['adamUpdate']);
    expect(ran(false)).toContain('sqrt');
    expect(ran(false)).not.toContain('adamUpdate');
  });

  it('keeps fused: false through serialize and optimizerFromConfig', () => {
    const restored = optimizerFromConfig(new SGD({ momentum: 0.5, fused: false }).serialize());
    expect(restored.getConfig()).toMatchObject({ momentum: 0.5, fused: false });
  });
});
