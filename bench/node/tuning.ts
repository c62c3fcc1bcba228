// The tuning report: 'thorough' autotuning of the W1-W4 shapes on this device, with what it picked
// per shape class, the rule's time, the pick's time, the speed-up and the tuning's cost. On a real
// GPU this is the first figure of what the tiled rule gives against the candidates. Every
// candidate's own timing is kept too (the tuner's device timer, wrapped), not only the pick.
//
// Each workload gets a backend of its own with a memory-only store, so nothing is read from or
// written to the user's tuning cache and each workload's cost is its own. W1's products are asked
// for directly; W2-W4 fit their model for one epoch of two batches, as a user's first fit would,
// which asks for the step program's kernels.

import type { TunedCandidate, TunedShape } from '../../src/backend/webgpu/kernel-types';
import { shapeClass, tunedId } from '../../src/backend/webgpu/tune/families';
import { type CandidateTimer, deviceTimer } from '../../src/backend/webgpu/tune/measure';
import { MIN_TUNED_MULTIPLY_ADDS, type TuningInfo } from '../../src/backend/webgpu/tune/tuner';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { tensor, useBackend } from '../../src/graph/engine';
import { head } from '../data';
import { build } from '../libs/ours';
import { dataset, KINDS, type Workload } from '../runner';

export interface TuningSpec {
  workload: Workload;
  /** W1: the product sizes n (n x n x n); W2-W4: ignored (two batches are enough to reach every kernel). */
  sizes: number[];
  batchSize: number;
}

export interface CandidateTiming {
  shape: string;
  candidate: string;
  /** ms per run, or null when the run failed (then `error`). */
  ms: number | null;
  error?: string;
}

export interface TuningWorkload {
  workload: Workload;
  what: string;
  /** Wall-clock ms from the request to every class settled (fit steps beside it included for W2-W4). */
  wallMs: number;
  info?: TuningInfo;
  timings: CandidateTiming[];
  error?: string;
  /** Written while still tuning: the stage was cut before this workload finished. */
  partial?: boolean;
}

/** A timer that records every timing it makes; `inner` is set once the backend it times on exists. */
function recordingTimer(timings: CandidateTiming[], after: () => void) {
  const box: { inner?: CandidateTimer } = {};
  const timer: CandidateTimer = async (c: TunedCandidate, s: TunedShape) => {
    const row = { shape: shapeClass(s), candidate: tunedId(c) };
    try {
      const ms = await box.inner!(c, s);
      timings.push({ ...row, ms });
      after();
      return ms;
    } catch (e) {
      timings.push({ ...row, ms: null, error: (e as Error).message.split('\n')[0] });
      after();
      throw e;
    }
  };
  return { timer, box };
}

async function tuneWorkload(
  spec: TuningSpec,
  budgetMs: number | undefined,
  progress: (partial: TuningWorkload) => void,
): Promise<TuningWorkload> {
  const timings: CandidateTiming[] = [];
  // After every timing, the workload so far: a stage cut mid-workload keeps its timings.
  const { timer, box } = recordingTimer(timings, () =>
    progress({
      workload: spec.workload,
      what,
      wallMs: performance.now() - start,
      info: gpu.tuner.info(),
      timings,
      partial: true,
    }),
  );
  const what =
    spec.workload === 'W1'
      ? `matmul n x n x n, n = ${spec.sizes.join(', ')}`
      : `${KINDS[spec.workload]} fit, batch ${spec.batchSize}`;
  let start = performance.now();
  const gpu: WebGPUBackend = await WebGPUBackend.create({
    powerPreference: 'high-performance',
    tuning: 'thorough',
    tuningStore: null,
    tuningTimer: timer,
    ...(budgetMs !== undefined ? { tuningBudgetMs: budgetMs } : {}),
  });
  // The tuner's own timer (timestamp queries where the device has them), 10 ms per timing.
  box.inner = deviceTimer(gpu, 10);
  start = performance.now();
  progress({ workload: spec.workload, what, wallMs: 0, info: gpu.tuner.info(), timings, partial: true });
  const previous = useBackend(gpu);
  try {
    if (spec.workload === 'W1') {
      const shapes = spec.sizes.map((n) => ({ m: n, n, k: n, transposeA: false, transposeB: false }));
      await gpu.tuner.request(shapes);
    } else {
      const rows = 2 * spec.batchSize;
      const data = head(dataset(spec.workload, Math.max(rows, 150)), rows);
      const model = build(KINDS[spec.workload]);
      const x = tensor(data.x.data, data.x.shape);
      const y = tensor(data.y.data, data.y.shape);
      const h = await model.fit(x, y, { batchSize: spec.batchSize, epochs: 1, shuffle: false });
      if (h.error) throw new Error(`the fit stopped: ${h.error}`);
      await gpu.tuner.settled();
    }
    return {
      workload: spec.workload,
      what,
      wallMs: performance.now() - start,
      info: gpu.tuner.info(),
      timings,
    };
  } catch (e) {
    const error = (e as Error).message.split('\n')[0];
    return { workload: spec.workload, what, wallMs: performance.now() - start, timings, error };
  } finally {
    useBackend(previous);
    gpu.destroy();
  }
}

/** Each workload in turn, `onWorkload` after each so a cut run keeps what it has. */
export async function tuningReport(
  specs: TuningSpec[],
  options: {
    budgetMs?: number;
    onWorkload?: (done: TuningWorkload[]) => void;
    /** After every timing, with the workload in progress last (partial: true). */
    onProgress?: (sofar: TuningWorkload[]) => void;
  } = {},
): Promise<TuningWorkload[]> {
  const done: TuningWorkload[] = [];
  for (const spec of specs) {
    done.push(await tuneWorkload(spec, options.budgetMs, (p) => options.onProgress?.([...done, p])));
    options.onWorkload?.(done);
  }
  return done;
}

const ms = (x: number | null) => (x === null ? 'failed' : x < 1 ? x.toFixed(4) : x.toFixed(3));

/** The report as Markdown: per workload its picks, its cost, then every candidate's time per class. */
export function tuningMarkdown(adapterName: string, done: TuningWorkload[]): string {
  const lines = [
    `# Tuning ('thorough') on ${adapterName}`,
    '',
    "Per shape class: the rule's kernel and time, the pick and its time (ms per run, the tuner's",
    'device timer), and the speed-up; a pick other than the rule needs 5% twice. Cost: time in timed',
    'runs (pipeline compiles included) and wall time of the tuning.',
  ];
  for (const w of done) {
    lines.push('', `## ${w.workload}: ${w.what}`, '');
    if (w.partial)
      lines.push('Still tuning when last written (the stage was cut): what was timed so far.', '');
    if (!w.info) {
      lines.push(`Failed: ${w.error}`);
      continue;
    }
    const { info } = w;
    if (info.timedRuns === 0 && info.choices.length === 0 && !info.error) {
      // W3's products are about 1,000 multiply-adds each: the tuner leaves such kernels to the rule.
      lines.push(
        `Nothing to tune: every product and convolution is under ${MIN_TUNED_MULTIPLY_ADDS.toLocaleString('en-US')} ` +
          'multiply-adds (and every reduction under its own bound), so the rule runs them untimed.',
      );
      continue;
    }
    const picked = new Set(info.choices.map((c) => c.shape));
    const leftToRule = [...new Set(w.timings.map((t) => t.shape))].filter((c) => !picked.has(c));
    lines.push(
      `Cost: ${info.spentMs.toFixed(0)} ms in ${info.timedRuns} timed runs (${info.failedRuns} failed), ` +
        `${w.wallMs.toFixed(0)} ms wall${info.pending ? `, ${info.pending} classes still pending` : ''}` +
        `${info.error ? `; ${info.error}` : ''}.`,
      ...(leftToRule.length > 0
        ? ['', `Left to the rule by the budget (timed only in part): ${leftToRule.join('; ')}.`]
        : []),
      '',
      '| shape class | rule | rule ms | pick | pick ms | speed-up |',
      '| --- | --- | --- | --- | --- | --- |',
      ...info.choices.map(
        (c) =>
          `| ${c.shape} | ${c.builtin} | ${ms(c.builtinMs)} | ${c.kernel} | ${ms(c.ms)} | ${c.speedup.toFixed(2)}x |`,
      ),
      '',
      '| shape class | every candidate timed (ms per run, fastest first) |',
      '| --- | --- |',
      ...[...new Set(w.timings.map((t) => t.shape))].map((shape) => {
        const all = w.timings
          .filter((t) => t.shape === shape)
          .sort((a, b) => (a.ms ?? Number.POSITIVE_INFINITY) - (b.ms ?? Number.POSITIVE_INFINITY));
        return `| ${shape} | ${all.map((t) => `${t.candidate} ${ms(t.ms)}`).join('; ')} |`;
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}
