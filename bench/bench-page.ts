// The benchmark page: the runner (run.mjs) calls window.bench.run (bench/runner.ts) once per
// workload and does the statistics. One page serves one library and backend, so a hung workload
// costs only its page.

import { dispatchCost } from './dispatch-cost';
import { type FitCallsSpec, fitCalls } from './fit-calls';
import { type MemorySpec, memoryOverEpochs } from './memory';
import { dataset, KINDS, run } from './runner';

declare global {
  interface Window {
    bench: {
      run: typeof run;
      memory: typeof memory;
      fitCalls: typeof fitCallsOn;
      dispatchCost: typeof dispatchCost;
      adapter: () => Promise<string>;
    };
  }
}

/** Our WebGPU backend's allocation counters over one long fit (bench/memory.ts). */
const memory = (spec: MemorySpec) =>
  memoryOverEpochs(spec, dataset(spec.workload, spec.size), KINDS[spec.workload]);

/** Four fit({ epochs: 1 }) calls against one fit({ epochs: 4 }) (bench/fit-calls.ts). */
const fitCallsOn = (spec: FitCallsSpec) =>
  fitCalls(spec, dataset(spec.workload, spec.size), KINDS[spec.workload]);

window.bench = {
  run,
  memory,
  fitCalls: fitCallsOn,
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
