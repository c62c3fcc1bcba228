/**
 * A WebGPU backend whose tuning is driven by the test: candidate timings come from `ms` (by the
 * candidate's name), every timed run is recorded in `runs`, and the tuning clock advances 10 ms a
 * run. Backends made here are destroyed by `destroyTunedGpus` (call it in afterAll).
 */
import type { TunedCandidate } from '../../src/backend/webgpu/kernel-types';
import { tunedId } from '../../src/backend/webgpu/tune/families';
import { MemoryTuningStore } from '../../src/backend/webgpu/tune/store';
import type { WebGPUBackend, WebGPUBackendOptions } from '../../src/backend/webgpu/webgpu-backend';
import { createGpu } from './harness';

const made: WebGPUBackend[] = [];

export async function tunedGpu(
  ms: (id: string) => number,
  options: WebGPUBackendOptions = {},
): Promise<{ gpu: WebGPUBackend; runs: string[] }> {
  const runs: string[] = [];
  let clock = 0;
  const gpu = await createGpu({
    matmulVariant: 'register',
    tuning: 'quick',
    tuningStore: new MemoryTuningStore(),
    tuningClock: () => clock,
    // The tests' products are small; the bound that keeps such ones from tuning has its own test.
    tuningMinMultiplyAdds: 0,
    tuningTimer: async (c: TunedCandidate) => {
      runs.push(tunedId(c));
      clock += 10;
      return ms(tunedId(c));
    },
    ...options,
  });
  made.push(gpu);
  return { gpu, runs };
}

export function destroyTunedGpus(): void {
  for (const b of made.splice(0)) b.destroy();
}
