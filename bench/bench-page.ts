// The benchmark page: the runner (run.mjs) calls window.bench.run (bench/runner.ts) once per
// workload and does the statistics. One page serves one library and backend, so a hung workload
// costs only its page.

import { dispatchCost } from './dispatch-cost';
import { type MemorySpec, memoryOverEpochs } from './memory';
import { dataset, KINDS, run } from './runner';

declare global {
  interface Window {
    bench: {
      run: typeof run;
      memory: typeof memory;
      dispatchCost: typeof dispatchCost;
      adapter: () => Promise<string>;
    };
  }
}

/** Our WebGPU backend's allocation counters over one long fit (bench/memory.ts). */
const memory = (spec: MemorySpec) =>
  memoryOverEpochs(spec, dataset(spec.workload, spec.size), KINDS[spec.workload]);

window.bench = {
  run,
  memory,
  dispatchCost,
  /** What a plain requestAdapter() (as tfjs and jax-js make) gets in this Chromium set-up. */
  adapter: async () => {
    const adapter = await navigator.gpu?.requestAdapter();
    if (!adapter) return 'no WebGPU adapter';
    const { vendor, architecture, device, description } = adapter.info;
    const name = [vendor, architecture, device, description].filter(Boolean).join(' ') || 'unnamed adapter';
    const level = adapter.features.has('core-features-and-limits') ? 'core' : 'compatibility mode';
    return `${name} (${level}, ${adapter.limits.maxComputeInvocationsPerWorkgroup} invocations/workgroup)`;
  },
};
