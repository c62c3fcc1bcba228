// The benchmark page: the runner (run.mjs) calls window.bench.run once per workload; the page times
// repetitions after the library's own untimed warm-up and returns raw times, and the runner does the
// statistics. One page serves one library and backend, so a hung workload costs only its page.

import { cnnData, type Dataset, head, mlpData, randomMatrix, tabularData } from './data';
import { dispatchCost } from './dispatch-cost';
import { jaxjs } from './libs/jax';
import type { BackendReport, Library, ModelKind } from './libs/library';
import { ours } from './libs/ours';
import { tfjs } from './libs/tfjs';
import { type MemorySpec, memoryOverEpochs } from './memory';

const LIBRARIES: Record<string, Library> = { ours, tfjs, jax: jaxjs };

export interface RunSpec {
  lib: string;
  backend: string;
  workload: 'W1' | 'W2' | 'W3' | 'W4';
  /** W1: matrix size n; W2-W4: rows in the dataset. */
  size: number;
  /** Epochs per timed repetition (W2-W4). */
  epochs: number;
  batchSize: number;
  minReps: number;
  maxReps: number;
  /** Stop after minReps when maxReps would take longer than this (the "5 if under a minute" rule). */
  budgetMs: number;
  /**
   * The runner's time limit for the whole workload, warm-up included: repetitions stop (after at
   * least one) when the next would likely overrun it, so a slow configuration reports fewer
   * repetitions rather than a time-out.
   */
  limitMs: number;
}

export interface RunResult extends BackendReport {
  /** Milliseconds per repetition, warm-up excluded. */
  times: number[];
  /** W2-W4: the mean training loss of the last epoch of each repetition. */
  losses: number[];
  /** W2-W4: the number of classes, so the report can state the chance-level loss ln(classes). */
  classes?: number;
  warmupMs: number;
}

const datasets = new Map<string, Dataset>();
function dataset(workload: RunSpec['workload'], rows: number): Dataset {
  const key = `${workload}:${rows}`;
  if (!datasets.has(key)) {
    const make = { W2: mlpData, W3: tabularData, W4: cnnData }[workload as 'W2' | 'W3' | 'W4'];
    datasets.set(key, make(rows));
  }
  return datasets.get(key)!;
}

const KINDS: Record<'W2' | 'W3' | 'W4', ModelKind> = { W2: 'mlp', W3: 'tabular', W4: 'cnn' };
let report: BackendReport | null = null;

async function run(spec: RunSpec): Promise<RunResult> {
  const lib = LIBRARIES[spec.lib];
  if (!lib)
    throw new Error(`bench: unknown library '${spec.lib}', expected one of ${Object.keys(LIBRARIES)}`);
  report ??= await lib.init(spec.backend);
  const t0 = performance.now();
  let rep: () => Promise<number | undefined>;
  let dispose: () => void;
  let classes: number | undefined;
  if (spec.workload === 'W1') {
    const m = await lib.matmul(randomMatrix(spec.size, spec.size, 1), randomMatrix(spec.size, spec.size, 2));
    rep = async () => void (await m.run());
    dispose = () => m.dispose();
  } else {
    const data = dataset(spec.workload, spec.size);
    classes = data.classes;
    // Warm-up: two batches, so shaders, pipelines and buffers for full and (W3) short batches exist.
    const warm = head(
      data,
      Math.min(data.x.shape[0], spec.batchSize * 2 - (spec.workload === 'W3' ? 10 : 0)),
    );
    const trainer = await lib.trainer(KINDS[spec.workload], data, warm, {
      batchSize: spec.batchSize,
      epochs: spec.epochs,
    });
    rep = () => trainer.fit();
    dispose = () => trainer.dispose();
  }
  const warmupMs = performance.now() - t0;
  const times: number[] = [];
  const losses: number[] = [];
  try {
    while (times.length < spec.maxReps) {
      const start = performance.now();
      const loss = await rep();
      times.push(performance.now() - start);
      if (loss !== undefined) losses.push(loss);
      const spent = times.reduce((a, b) => a + b, 0);
      const mean = spent / times.length;
      if (times.length >= spec.minReps && mean * spec.maxReps > spec.budgetMs) break;
      if (performance.now() - t0 + mean > 0.9 * spec.limitMs) break;
    }
  } finally {
    dispose();
  }
  return { ...report, times, losses, classes, warmupMs };
}

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
