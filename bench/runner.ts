// One benchmark workload, timed: shared by the browser page (bench-page.ts, driven by run.mjs) and
// the Node runner (bench/node, driven by `npm run bench:node` and the GPU kit). Repetitions follow
// the library's own untimed warm-up and raw times come back; the callers do the statistics.

import { cnnData, type Dataset, head, mlpData, randomMatrix, tabularData } from './data';
import { jaxjs } from './libs/jax';
import type { BackendReport, Library, ModelKind } from './libs/library';
import { ours } from './libs/ours';
import { tfjs } from './libs/tfjs';

export const LIBRARIES: Record<string, Library> = { ours, tfjs, jax: jaxjs };

export type Workload = 'W1' | 'W2' | 'W3' | 'W4';

export interface RunSpec {
  lib: string;
  backend: string;
  workload: Workload;
  /** W1: matrix size n; W2-W4: rows in the dataset. */
  size: number;
  /** W1 only: products per repetition, each feeding the next, with one readback at the end (default 1). */
  chain?: number;
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
  /** W2-W4, ours: per repetition, the milliseconds fit spent on the host copy of the last-good state. */
  lastGoodMs?: number[];
  warmupMs: number;
  /** What the library picked for this workload's model and why (ours on 'auto'). */
  choice?: string;
}

const datasets = new Map<string, Dataset>();
export function dataset(workload: Exclude<Workload, 'W1'>, rows: number): Dataset {
  const key = `${workload}:${rows}`;
  if (!datasets.has(key)) {
    const make = { W2: mlpData, W3: tabularData, W4: cnnData }[workload];
    datasets.set(key, make(rows));
  }
  return datasets.get(key)!;
}

export const KINDS: Record<Exclude<Workload, 'W1'>, ModelKind> = { W2: 'mlp', W3: 'tabular', W4: 'cnn' };

/**
 * W1's right-hand matrix. Uniform(-1, 1) entries have variance 1/3, so scaling by sqrt(3 / n) keeps a
 * row's norm in expectation through a chain of products: 20 chained products stay finite at any n.
 */
export function w1Operands(n: number, chain: number) {
  const a = randomMatrix(n, n, 1);
  const b = randomMatrix(n, n, 2);
  if (chain > 1) {
    const scale = Math.sqrt(3 / n);
    for (let i = 0; i < b.data.length; i++) b.data[i] *= scale;
  }
  return { a, b };
}

let report: BackendReport | null = null;

export async function run(spec: RunSpec): Promise<RunResult> {
  const lib = LIBRARIES[spec.lib];
  if (!lib)
    throw new Error(`bench: unknown library '${spec.lib}', expected one of ${Object.keys(LIBRARIES)}`);
  report ??= await lib.init(spec.backend);
  const t0 = performance.now();
  let rep: () => Promise<number | undefined>;
  let dispose: () => void;
  let classes: number | undefined;
  let lastGood: (() => number) | undefined;
  if (spec.workload === 'W1') {
    const { a, b } = w1Operands(spec.size, spec.chain ?? 1);
    const m = await lib.matmul(a, b, spec.chain ?? 1);
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
    lastGood = trainer.lastGoodMs?.bind(trainer);
    dispose = () => trainer.dispose();
  }
  const warmupMs = performance.now() - t0;
  const choice = lib.choice?.();
  const times: number[] = [];
  const losses: number[] = [];
  const lastGoodMs: number[] = [];
  try {
    while (times.length < spec.maxReps) {
      const start = performance.now();
      const loss = await rep();
      times.push(performance.now() - start);
      if (loss !== undefined) losses.push(loss);
      if (lastGood) lastGoodMs.push(lastGood());
      const spent = times.reduce((a, b) => a + b, 0);
      const mean = spent / times.length;
      if (times.length >= spec.minReps && mean * spec.maxReps > spec.budgetMs) break;
      if (performance.now() - t0 + mean > 0.9 * spec.limitMs) break;
    }
  } finally {
    dispose();
  }
  return {
    ...report,
    times,
    losses,
    classes,
    warmupMs,
    ...(lastGoodMs.length ? { lastGoodMs } : {}),
    ...(choice ? { choice } : {}),
  };
}
