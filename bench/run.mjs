// `npm run bench`: every workload for every library and backend, in headless Chromium, once per
// adapter set-up; prints a line per result and saves bench/results/<date>.json and .md (and
// latest.md). BENCH_QUICK=1 is a smoke run (small sizes, one repetition, a few minutes) saved as
// <date>-quick.* and latest-quick.md. Figures, not tests: nothing here asserts speed.
//
// Robustness: each library/backend pair gets a fresh page; every workload has a time limit; a
// failure or time-out becomes an error row (the page is replaced after a time-out) and the run goes on.
// BENCH_ONLY=ours:webgpu,tfjs:wasm limits the pairs run; BENCH_VERBOSE=1 logs each workload's start;
// BENCH_DEADLINE_MIN (default 35, quick 10) bounds the whole run: later workloads become 'skipped' rows.
// BENCH_WORKLOADS=W3 (or W1:256,W3) and BENCH_SETUPS=llvmpipe-gles limit the workloads and adapter set-ups,
// for A/B runs of one row; the CPU pairs run in the first set-up kept. With ours:webgpu, each set-up also
// gets the GPU-memory table (MEMORY below: allocation counters after epochs 1, 10 and 50).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../scripts/chromium.mjs';
import { ensureNodeModules, ensureSystemPackages } from '../scripts/setup.mjs';
import { markdown, summarise, TITLES } from './report.mjs';

ensureNodeModules();
ensureSystemPackages();

const QUICK = process.env.BENCH_QUICK === '1';
/** True when env `name` is unset or its comma-separated list holds one of `keys`. */
function listed(name, keys) {
  const list = process.env[name]?.split(',');
  return !list || keys.some((k) => list.includes(k));
}
const BASE_ARGS = CHROMIUM_ARGS;
/** SwiftShader (core WebGPU) and llvmpipe through OpenGL ES, forced on every requestAdapter(). */
const CONFIGS = [
  { name: 'swiftshader', args: BASE_ARGS },
  {
    name: 'llvmpipe-gles',
    args: [...BASE_ARGS, '--use-angle=gl-egl', '--use-webgpu-adapter=opengles', '--force-webgpu-compat'],
  },
].filter((c) => listed('BENCH_SETUPS', [c.name]));
/** GPU pairs run on every set-up; CPU pairs ('cpu' set-up) once, in the first browser. */
const GPU_PAIRS = [
  ['ours', 'webgpu'],
  // setBackend('auto'): each workload's model timed on this adapter and on the CPU, the faster trained on.
  ['ours', 'auto'],
  ['tfjs', 'webgpu'],
  ['jax', 'webgpu'],
  ['tfjs', 'webgl'],
];
const CPU_PAIRS = [
  ['ours', 'cpu'],
  ['tfjs', 'wasm'],
  ['tfjs', 'cpu'],
];

// Full: the issue's sizes; 3 to 5 repetitions (5 when they fit in a minute). Quick: a smoke run.
const reps = QUICK ? { minReps: 1, maxReps: 1, budgetMs: 0 } : { minReps: 3, maxReps: 5, budgetMs: 60_000 };
const W1_SIZES = QUICK ? [128, 256] : [256, 512, 1024];
const WORKLOADS = [
  ...W1_SIZES.map((size) => ({ workload: 'W1', size, epochs: 0, batchSize: 0, limitS: QUICK ? 60 : 90 })),
  { workload: 'W2', size: QUICK ? 1024 : 8192, epochs: 1, batchSize: 128, limitS: QUICK ? 90 : 300 },
  { workload: 'W3', size: 150, epochs: QUICK ? 2 : 20, batchSize: 16, limitS: QUICK ? 60 : 240 },
  { workload: 'W4', size: QUICK ? 256 : 2048, epochs: 1, batchSize: 64, limitS: QUICK ? 90 : 300 },
]
  .map((w) => ({ ...w, ...reps }))
  .filter((w) => listed('BENCH_WORKLOADS', [w.workload, `${w.workload}:${w.size}`]));
/**
 * GPU memory over 50 epochs (issue 9): our webgpu backend's allocation counters after epochs 1, 10
 * and 50 of one fit, on each set-up; W2 on 1024 rows to stay affordable. BENCH_WORKLOADS=memory
 * runs only these (and a list without 'memory' leaves them out).
 */
const MEMORY = [
  { workload: 'W3', size: 150, batchSize: 16, epochs: 50, marks: [1, 10, 50], limitS: 120 },
  ...(QUICK
    ? []
    : [{ workload: 'W2', size: 1024, batchSize: 128, epochs: 50, marks: [1, 10, 50], limitS: 240 }]),
].filter(() => listed('BENCH_WORKLOADS', ['memory']));
/**
 * Issue 14's fit-call row: four fit({ epochs: 1 }) calls against one fit({ epochs: 4 }) on W2 (2,048
 * rows, the issue's case), with our backends (bench/fit-calls.ts). BENCH_WORKLOADS=fitcalls runs
 * only these (and a list without 'fitcalls' leaves them out).
 */
const FIT_CALLS = [
  { workload: 'W2', size: QUICK ? 512 : 2048, batchSize: 128, epochs: 4, reps: QUICK ? 1 : 2, limitS: 300 },
].filter(() => listed('BENCH_WORKLOADS', ['fitcalls']));
/** Workloads a library cannot express, recorded as 'not run' rows with the reason. */
const NOT_RUN = {
  'ours:auto:W1':
    "auto picks per model when fit starts; W1 is a bare matmul, which runs on auto's default, the CPU",
  'jax:W4': 'jax-js has no layers or fit; the Conv2D-BatchNorm-MaxPool training step is not hand-written',
};

/** The whole run's deadline: workloads not started by then are recorded as skipped, not run. */
const DEADLINE = Date.now() + Number(process.env.BENCH_DEADLINE_MIN ?? (QUICK ? 10 : 35)) * 60_000;

const readLoad = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
const loadStart = readLoad();

const server = await createServer({
  root: process.cwd(),
  logLevel: 'error',
  // No file watching or HMR: other work editing src/ must not reload the page mid-measurement.
  server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
  // Pre-bundled up front: a dependency discovered mid-run would make Vite reload the page under us.
  optimizeDeps: {
    entries: ['bench/index.html'],
    include: [
      '@tensorflow/tfjs',
      '@tensorflow/tfjs-backend-webgpu',
      '@tensorflow/tfjs-backend-wasm',
      '@jax-js/jax',
    ],
  },
});
await server.listen();
// The page is cross-origin isolated (vite.config.ts's COOP/COEP headers), so both CPU libraries may
// use threads. BENCH_CPU_THREADS (default 'auto': the logical cores up to 8) is ours' thread count
// (setCpuThreads); BENCH_TFJS_WASM_THREADS (default 1, the single-thread baseline the targets are
// stated against) is tfjs-wasm's (setThreadsCount).
const CPU_THREADS = process.env.BENCH_CPU_THREADS ?? 'auto';
const TFJS_WASM_THREADS = process.env.BENCH_TFJS_WASM_THREADS ?? '1';
const url = `${server.resolvedUrls.local[0]}bench/index.html?cpuThreads=${CPU_THREADS}&tfjsWasmThreads=${TFJS_WASM_THREADS}${process.env.BENCH_TUNING ? `&tuning=${process.env.BENCH_TUNING}` : ''}`;
const rows = [];
const memoryRows = [];
const fitCallRows = [];
const configsSeen = [];
let browserVersion = '';

function withTimeout(promise, seconds, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout: ${what} ran past ${seconds} s`)), seconds * 1000);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

async function openPage(context) {
  const page = await context.newPage();
  // Our tuning's cost and picks (bench/libs/ours.ts), one line per workload.
  page.on('console', (m) => {
    if (m.text().startsWith('tuning ')) console.log(`  ${m.text()}`);
  });
  await page.goto(url, { timeout: 60_000 });
  await page.waitForFunction(() => window.bench !== undefined, null, { timeout: 60_000 });
  return page;
}

/** Closes a page or context that may be wedged; false when even that did not finish. */
async function closeQuietly(target) {
  try {
    await withTimeout(target.close(), 20, 'close');
    return true;
  } catch {
    return false;
  }
}

function log(row) {
  const what =
    `${TITLES[row.spec.workload](row.spec).slice(0, 44).padEnd(44)} ${row.config.padEnd(13)} ` +
    `${`${row.lib} ${row.backend}`.padEnd(12)}`;
  if (row.status !== 'ok') return console.log(`${what} ${row.status}: ${row.error}`);
  const s = row.summary;
  console.log(
    `${what} ${s.metric.median.toFixed(2).padStart(9)} ${s.metric.name.padEnd(8)} ` +
      `(${s.ms.median.toFixed(0)} ms/rep, ${s.reps} reps${s.firstRepLoss !== undefined ? `, loss ${s.firstRepLoss.toFixed(3)}` : ''}` +
      `${typeof row.dispatchMs === 'number' ? `, 60 dispatches ${row.dispatchMs.toFixed(2)} / ${row.dispatchMsAfter?.toFixed(2)} ms` : ''})` +
      `${row.fallbackReason ? `  FELL BACK: ${row.fallbackReason}` : ''}` +
      `${row.choice ? `  AUTO ${row.choice}` : ''}`,
  );
}

/** The MEMORY workloads with our webgpu backend, on a fresh page each; errors become rows. */
async function runMemory(browser, config) {
  for (const m of MEMORY) {
    const { limitS, ...spec } = m;
    const base = { config, spec, loadavg: readLoad() };
    if (Date.now() + limitS * 1000 > DEADLINE) {
      memoryRows.push({ ...base, status: 'skipped', error: 'past the run deadline (BENCH_DEADLINE_MIN)' });
      continue;
    }
    const context = await browser.newContext();
    try {
      const page = await withTimeout(openPage(context), 120, 'opening the benchmark page');
      const result = await withTimeout(
        page.evaluate((s) => window.bench.memory(s), spec),
        limitS,
        `memory ${m.workload}`,
      );
      memoryRows.push({ ...base, status: 'ok', ...result });
      const at = result.marks.map(
        (k) => `epoch ${k.epoch}: ${k.buffersCreated} buffers, ${k.bytesAllocated} B`,
      );
      console.log(`memory ${m.workload} ${m.size} rows, ${config.padEnd(13)} ${at.join('; ')}`);
    } catch (e) {
      memoryRows.push({ ...base, status: 'error', error: String(e.message).split('\n')[0] });
      console.log(`memory ${m.workload} ${config}: ${memoryRows.at(-1).error}`);
    } finally {
      await closeQuietly(context);
    }
  }
}

/** The FIT_CALLS rows with our `backend`, on a fresh page each; errors become rows. */
async function runFitCalls(browser, config, backend) {
  for (const f of FIT_CALLS) {
    const { limitS, ...rest } = f;
    const spec = { ...rest, backend };
    const base = { config, spec, loadavg: readLoad() };
    if (Date.now() + limitS * 1000 > DEADLINE) {
      fitCallRows.push({ ...base, status: 'skipped', error: 'past the run deadline (BENCH_DEADLINE_MIN)' });
      continue;
    }
    const context = await browser.newContext();
    try {
      const page = await withTimeout(openPage(context), 120, 'opening the benchmark page');
      const result = await withTimeout(
        page.evaluate((s) => window.bench.fitCalls(s), spec),
        limitS,
        `fit calls ${backend}`,
      );
      fitCallRows.push({ ...base, status: 'ok', ...result });
      const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
      console.log(
        `fit calls W2 ${f.size} rows, ${config.padEnd(13)} ${backend}: ${f.epochs} x 1 epoch ${med(result.separate).toFixed(0)} ms/epoch, ` +
          `1 x ${f.epochs} epochs ${med(result.single).toFixed(0)} ms/epoch`,
      );
    } catch (e) {
      fitCallRows.push({ ...base, status: 'error', error: String(e.message).split('\n')[0] });
      console.log(`fit calls ${config} ${backend}: ${fitCallRows.at(-1).error}`);
    } finally {
      await closeQuietly(context);
    }
  }
}

/** One library/backend pair in its own browser context; false when the browser must be relaunched. */
async function runPair(browser, config, lib, backend) {
  let context = null;
  let page = null;
  for (const w of WORKLOADS) {
    // Near the deadline a workload gets only the time left (the page then trims its repetitions).
    const limitS = Math.min(w.limitS, Math.floor((DEADLINE - Date.now()) / 1000));
    const spec = { lib, backend, ...w, limitS };
    const base = { spec, config, lib, backend, loadavg: readLoad() };
    if (limitS < 20) {
      rows.push({ ...base, status: 'skipped', error: 'past the run deadline (BENCH_DEADLINE_MIN)' });
      log(rows.at(-1));
      continue;
    }
    const reason = NOT_RUN[`${lib}:${backend}:${w.workload}`] ?? NOT_RUN[`${lib}:${w.workload}`];
    if (reason) {
      if (!rows.some((r) => r.lib === lib && r.config === config && r.spec.workload === w.workload)) {
        rows.push({ ...base, status: 'not run', error: reason });
        log(rows.at(-1));
      }
      continue;
    }
    try {
      context ??= await browser.newContext();
      page ??= await withTimeout(openPage(context), 120, 'opening the benchmark page');
      if (process.env.BENCH_VERBOSE) console.log(`  start ${lib} ${backend} ${w.workload} ${w.size}`);
      // The adapter's dispatch cost before (and after) the workload (bench/dispatch-cost.ts): on llvmpipe
      // it changes several-fold for seconds at a time, whatever the library.
      if (config !== 'cpu')
        base.dispatchMs = await withTimeout(
          page.evaluate(() => window.bench.dispatchCost()),
          30,
          'dispatch cost',
        );
      const { limitS: _, ...rest } = spec;
      const pageSpec = { ...rest, limitMs: limitS * 1000 };
      const result = await withTimeout(
        page.evaluate((s) => window.bench.run(s), pageSpec),
        limitS,
        `${lib} ${backend} ${w.workload} ${w.size}`,
      );
      rows.push({
        ...base,
        status: 'ok',
        description: result.description,
        fallbackReason: result.fallbackReason,
        choice: result.choice,
        times: result.times,
        losses: result.losses,
        classes: result.classes,
        ...(result.lastGoodMs ? { lastGoodMs: result.lastGoodMs } : {}),
        summary: summarise(spec, result),
        loadavgAfter: readLoad(),
        dispatchMsAfter:
          config === 'cpu'
            ? undefined
            : await withTimeout(
                page.evaluate(() => window.bench.dispatchCost()),
                30,
                'dispatch cost',
              ),
      });
    } catch (e) {
      const timedOut = String(e.message).startsWith('timeout');
      rows.push({ ...base, status: timedOut ? 'timeout' : 'error', error: String(e.message).split('\n')[0] });
      // A page stuck in a workload (or crashed) is replaced, context and all; later workloads start clean.
      log(rows.at(-1));
      const closed = context ? await closeQuietly(context) : true;
      [context, page] = [null, null];
      if (!closed) return false;
      continue;
    }
    log(rows.at(-1));
  }
  return context ? closeQuietly(context) : true;
}

try {
  for (const [i, config] of CONFIGS.entries()) {
    const launch = () => chromium.launch({ executablePath: CHROMIUM, headless: true, args: config.args });
    let browser = await launch();
    browserVersion = `headless Chromium ${browser.version()}`;
    const probe = await openPage(browser);
    configsSeen.push({ name: config.name, adapter: await probe.evaluate(() => window.bench.adapter()) });
    await probe.close();
    const only = process.env.BENCH_ONLY?.split(',');
    const pairs = [
      ...GPU_PAIRS.map((p) => [config.name, ...p]),
      ...(i === 0 ? CPU_PAIRS.map((p) => ['cpu', ...p]) : []),
    ];
    for (const [name, lib, backend] of pairs) {
      if (only && !only.includes(`${lib}:${backend}`)) continue;
      if (!(await runPair(browser, name, lib, backend)) || !browser.isConnected()) {
        console.log(`  relaunching Chromium for ${config.name} after a wedged page`);
        await closeQuietly(browser);
        browser = await launch();
      }
    }
    if (!only || only.includes('ours:webgpu')) await runMemory(browser, config.name);
    if (!only || only.includes('ours:webgpu')) await runFitCalls(browser, config.name, 'webgpu');
    if (i === 0 && (!only || only.includes('ours:cpu'))) await runFitCalls(browser, 'cpu', 'cpu');
    await closeQuietly(browser);
  }
} finally {
  await server.close();
}

const date = new Date().toISOString().replace(/[:]/g, '-').slice(0, 19);
const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  memGiB: Math.round(totalmem() / 2 ** 30),
  browser: browserVersion,
  chromiumPath: CHROMIUM,
  loadStart: loadStart.join(' '),
  loadEnd: readLoad().join(' '),
};
const notes = [
  'Each repetition follows an untimed warm-up (W1: one product; W2-W4: build, compile and fit on two ' +
    'batches). W1 times one product including reading the result back; W2-W4 time model.fit over the whole ' +
    'dataset (tfjs-layers model.fit for TensorFlow.js; for jax-js a hand-written jit-compiled Adam step, see ' +
    'bench/libs/jax.ts).',
  QUICK
    ? 'Smoke run: W1 n=128,256; W2 1024 samples; W3 2 epochs; W4 256 samples; one repetition each.'
    : 'Repetitions: 5, or 3 where 5 would take over a minute. Median, and min–max over repetitions.',
  'Same seeded data for every library (bench/data.ts); labels come from a random linear teacher, so a ' +
    'loss below chance (ln classes) shows the model trained. The losses shown are the last epoch mean in the first ' +
    'timed repetition (every library has then trained the same number of steps) and in the last one (training ' +
    "goes on across repetitions, so it depends on the repetition count); weights are each library's own Glorot " +
    'initialisation, so losses agree only roughly. W2 needs more than one epoch to leave chance level.',
  'tfjs wasm has no Conv2DBackpropFilter kernel in 4.22, so it cannot train W4: its error row is the ' +
    "library's limitation, not the harness's.",
  `Threads (the page is cross-origin isolated): ours CPU ${CPU_THREADS === 'auto' ? 'the logical cores up to 8' : CPU_THREADS} (BENCH_CPU_THREADS), ` +
    `tfjs wasm ${TFJS_WASM_THREADS} (BENCH_TFJS_WASM_THREADS), with SIMD.`,
  'Load average: the 1-minute figure from /proc/loadavg before each workload; the machine is shared, so ' +
    'rows measured under a high load are noisy.',
  '"60 dispatches": median ms per submit of 60 one-workgroup dispatches of a trivial shader plus a 4-byte ' +
    'read, on a device of its own, just before and just after the row (bench/dispatch-cost.ts). On llvmpipe it is about ' +
    '0.6 ms most of the time and 3-5 ms for seconds at a time (Mesa thread-pool hand-offs, often right after ' +
    'W2); rows of small steps (W3) measured in that state are slower by a similar factor, whatever the library.',
];
// A run limited to some workloads or set-ups is an A/B probe: kept apart, never the latest table.
const subset = Boolean(process.env.BENCH_WORKLOADS || process.env.BENCH_SETUPS);
const out = {
  date,
  quick: QUICK,
  subset,
  machine,
  configs: configsSeen,
  rows,
  memory: memoryRows,
  fitCalls: fitCallRows,
  notes,
};
const stem = `bench/results/${date}${QUICK ? '-quick' : ''}${subset ? '-subset' : ''}`;
mkdirSync('bench/results', { recursive: true });
writeFileSync(`${stem}.json`, JSON.stringify(out, null, 2));
const md = markdown(out);
writeFileSync(`${stem}.md`, md);
if (!subset) writeFileSync(QUICK ? 'bench/results/latest-quick.md' : 'bench/results/latest.md', md);
console.log(`\nsaved ${stem}.json and .md`);
