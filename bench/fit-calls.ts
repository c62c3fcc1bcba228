// Issue 14's "compile once per model and batch shape": four fit({ epochs: 1 }) calls on one model
// against one fit({ epochs: 4 }) on another, same data and batch size, on one backend. The compiled
// step is kept with the model across fit calls, so the two should cost the same within noise; a
// set-up paid per call shows as a ratio above 1. An untimed fit on a third model first compiles the
// pipelines both share; the two sides then alternate (A B A B) and each side's median is reported.

import { setBackend } from '../src/backend/index';
import type { BackendName } from '../src/graph/backend';
import { currentBackend } from '../src/graph/engine';
import type { Dataset } from './data';
import type { ModelKind } from './libs/library';
import { build } from './libs/ours';

export interface FitCallsSpec {
  workload: 'W2';
  /** Rows in the dataset. */
  size: number;
  batchSize: number;
  /** Epochs in all, as that many one-epoch calls or one call. */
  epochs: number;
  /** Timed repetitions of each side. */
  reps: number;
  backend: BackendName;
}

export interface FitCallsResult {
  description: string;
  /** ms per epoch of each repetition: `epochs` calls of one epoch each, and one call of `epochs`. */
  separate: number[];
  single: number[];
}

async function timeFits(kind: ModelKind, data: Dataset, spec: FitCallsSpec, calls: number): Promise<number> {
  const model = build(kind);
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) {
    const h = await model.fit(data.x, data.y, { batchSize: spec.batchSize, epochs: spec.epochs / calls });
    if (h.error) throw new Error(`bench fit calls: fit stopped: ${h.error}`);
  }
  return (performance.now() - t0) / spec.epochs;
}

export async function fitCalls(spec: FitCallsSpec, data: Dataset, kind: ModelKind): Promise<FitCallsResult> {
  await setBackend(spec.backend);
  const description = currentBackend().description;
  const warm = build(kind);
  await warm.fit(data.x, data.y, { batchSize: spec.batchSize, epochs: 1 });
  const separate: number[] = [];
  const single: number[] = [];
  for (let r = 0; r < spec.reps; r++) {
    separate.push(await timeFits(kind, data, spec, spec.epochs));
    single.push(await timeFits(kind, data, spec, 1));
  }
  return { description, separate, single };
}
