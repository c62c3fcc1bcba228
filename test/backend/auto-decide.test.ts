// decide(): the faster of the timings, and the reason in words, naming both backends and the ratio.
import { expect, it } from 'vitest';
import { type BackendTiming, decide, TUNING_GAIN, tuningMayDecide } from '../../src/backend/auto-timing';

const cpu = (msPerStep: number): BackendTiming => ({
  name: 'cpu',
  description: 'CPU (float32)',
  msPerStep,
  steps: 10,
  warmupSteps: 2,
  setupMs: 5,
});
const gpu = (msPerStep: number): BackendTiming => ({
  name: 'webgpu',
  description: 'WebGPU (SwiftShader, CPU-emulated, core)',
  msPerStep,
  steps: 10,
  warmupSteps: 2,
  setupMs: 900,
});

it('picks the faster and says by how much, against which backend, per step of how many rows', () => {
  expect(decide([cpu(0.41), gpu(2.5)], 32)).toEqual({
    picked: 'cpu',
    reason:
      'CPU: 6.1x faster than WebGPU (SwiftShader, CPU-emulated, core) for this model (0.410 against 2.50 ms per step of 32 rows)',
  });
  expect(decide([cpu(30), gpu(2.5)], 128)).toEqual({
    picked: 'webgpu',
    reason:
      'WebGPU: 12x faster than CPU (float32) for this model (2.50 against 30.0 ms per step of 128 rows)',
  });
});

it('keeps two decimals near a tie, takes the first on an exact one, and needs a timing', () => {
  expect(decide([gpu(10), cpu(10.4)], 8).reason).toMatch(/^WebGPU: 1\.04x faster than CPU/);
  expect(decide([cpu(3), gpu(3)], 8).picked).toBe('cpu');
  expect(decide([cpu(3)], 8)).toEqual({ picked: 'cpu', reason: 'CPU: the only backend timed' });
  expect(() => decide([], 8)).toThrow(RangeError);
});

it('tunes first only where WebGPU is slower than the CPU by less than the gain tuning may bring', () => {
  expect(tuningMayDecide(cpu(1), gpu(1.5))).toBe(true);
  expect(tuningMayDecide(cpu(1), gpu(TUNING_GAIN * 0.99))).toBe(true);
  // WebGPU already wins (or ties): fit tunes in the background; the CPU far ahead: it wins anyway.
  expect(tuningMayDecide(cpu(1), gpu(0.5))).toBe(false);
  expect(tuningMayDecide(cpu(1), gpu(1))).toBe(false);
  expect(tuningMayDecide(cpu(1), gpu(TUNING_GAIN))).toBe(false);
  expect(tuningMayDecide(cpu(0.06), gpu(1.5))).toBe(false);
});
