// `npm run bench:ui`: how responsive the page stays while it loads a large file and while it trains.
// Builds the app; loads a generated 50 MB CSV (BENCH_CSV_MB, written to a temporary file, never
// committed) through the file input and times it to the dataset summary, counting main-thread tasks
// over 200 ms (target: none); then trains the penguins sample (MLP with BatchNormalization and
// Dropout, 30 epochs) in headless Chromium on WebGPU (SwiftShader), recording every main-thread long
// task (PerformanceObserver 'longtask': tasks over 50 ms; target: none); then ('stop') trains a
// tiny model on the CPU (penguins, logistic regression, batch size 1: a batch every fraction of a
// millisecond) for BENCH_STOP_S seconds (default 5), clicks Stop and times the click to 'done', with
// the long tasks, the longest gap between animation frames, the speed and the epochs the page heard
// of after the click. BENCH_UI=load, train or stop (comma-separated) runs those parts. Figures, not
// a test: saved as bench/results/responsiveness-<date>.json/.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { preview } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../scripts/chromium.mjs';
import { ensureNodeModules, ensureSystemPackages } from '../scripts/setup.mjs';
import { writeBigCsv } from './big-csv.mjs';

ensureNodeModules();
ensureSystemPackages();
if (spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' }).status !== 0)
  process.exit(1);

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
const server = await preview({ logLevel: 'error', preview: { host: '127.0.0.1', port: 0 } });
const url = server.resolvedUrls.local[0];
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const parts = (process.env.BENCH_UI ?? 'load,train,stop').split(',');
const reps = Number(process.env.BENCH_REPS ?? 3);
const runs = [];
const loads = [];
const stops = [];
const csvDir = mkdtempSync(join(tmpdir(), 'bench-ui-'));

/** Starts recording main-thread long tasks (over 50 ms) in the page. */
const watchLongTasks = (page) =>
  page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    }).observe({ type: 'longtask' });
  });

try {
  if (parts.includes('load')) {
    const mb = Number(process.env.BENCH_CSV_MB ?? 50);
    const csv = await writeBigCsv(join(csvDir, `customers-${mb}mb.csv`), mb * 1024 * 1024);
    console.log(`generated ${csv.path}: ${(csv.bytes / 1024 / 1024).toFixed(1)} MB, ${csv.rows} rows`);
    for (let rep = 0; rep < reps; rep++) {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(url);
      await page.getByRole('button', { name: 'Palmer penguins' }).waitFor();
      await watchLongTasks(page);
      const load = loadavg();
      const t0 = Date.now();
      await page.locator('wt-data-panel input[type=file]').setInputFiles(csv.path);
      await page.getByTestId('data-summary').filter({ hasText: 'customers-' }).waitFor({ timeout: 600_000 });
      const seconds = (Date.now() - t0) / 1000;
      const long = await page.evaluate(() => window.__longTasks);
      const over200 = long.filter((t) => t > 200);
      loads.push({
        mb: csv.bytes / 1024 / 1024,
        rows: csv.rows,
        seconds,
        over200: over200.length,
        longTasks: long.length,
        maxMs: Math.max(0, ...long),
        tasksMs: long,
        load1m: load[0],
      });
      console.log(
        `load rep ${rep + 1}: ${seconds.toFixed(1)} s to the summary, ${over200.length} tasks over 200 ms, ${long.length} over 50 ms, longest ${Math.max(0, ...long).toFixed(0)} ms, load ${load.join(' ')}`,
      );
      await page.close();
    }
  }
  if (parts.includes('train')) {
    for (let rep = 0; rep < reps; rep++) {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(url);
      await page.getByRole('button', { name: 'Palmer penguins' }).click();
      await page.getByTestId('data-summary').waitFor();
      await page.getByRole('button', { name: 'MLP with BatchNormalization and Dropout' }).click();
      await watchLongTasks(page);
      const load = loadavg();
      const t0 = Date.now();
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      await page.getByTestId('run-status').filter({ hasText: 'done' }).waitFor({ timeout: 300_000 });
      const seconds = (Date.now() - t0) / 1000;
      const long = await page.evaluate(() => window.__longTasks);
      runs.push({
        seconds,
        longTasks: long.length,
        maxMs: Math.max(0, ...long),
        tasksMs: long,
        load1m: load[0],
      });
      console.log(
        `rep ${rep + 1}: ${seconds.toFixed(1)} s of training, ${long.length} long tasks, longest ${Math.max(0, ...long).toFixed(0)} ms, load ${load.join(' ')}`,
      );
      await page.close();
    }
  }
  if (parts.includes('stop')) {
    for (let rep = 0; rep < reps; rep++) stops.push(await stopRun(rep));
  }
} finally {
  rmSync(csvDir, { recursive: true, force: true });
  await browser.close();
  await new Promise((resolve) => server.httpServer.close(resolve));
}

/**
 * Trains penguins with logistic regression on one-row batches on the CPU, clicks Stop after
 * BENCH_STOP_S seconds, and returns what the page went through.
 */
async function stopRun(rep) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(url);
  await page.getByRole('button', { name: 'Palmer penguins' }).click();
  await page.getByTestId('data-summary').waitFor();
  await page.getByRole('button', { name: 'Logistic / linear regression' }).click();
  for (const [label, value] of [
    ['epochs', '100000'],
    ['batch size', '1'],
  ]) {
    await page.getByLabel(label).fill(value);
    await page.getByLabel(label).dispatchEvent('change');
  }
  await page.getByTestId('backend-select').selectOption('cpu');
  await watchLongTasks(page);
  await page.evaluate(() => {
    const w = window;
    w.__frames = { last: 0, maxGap: 0, over100: 0 };
    const frame = (t) => {
      const f = w.__frames;
      if (f.last > 0) {
        f.maxGap = Math.max(f.maxGap, t - f.last);
        if (t - f.last > 100) f.over100++;
      }
      f.last = t;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    w.__stop = { epochs: 0, epochsAtClick: null, clickAt: null, doneAt: null };
    document.addEventListener('wt-epoch-end', () => w.__stop.epochs++);
    document.addEventListener('wt-train-end', () => (w.__stop.doneAt = performance.now()));
    document.addEventListener(
      'click',
      (e) => {
        const t = e.composedPath()[0];
        if (t instanceof HTMLButtonElement && t.textContent.trim() === 'Stop') {
          w.__stop.clickAt ??= performance.now();
          w.__stop.epochsAtClick ??= w.__stop.epochs;
        }
      },
      true,
    );
  });
  const load = loadavg();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByTestId('run-status').filter({ hasText: 'training' }).waitFor();
  await page.waitForTimeout(Number(process.env.BENCH_STOP_S ?? 5) * 1000);
  const speed = (await page.getByTestId('progress-text').textContent()).match(/([\d,]+) samples\/s/)?.[1];
  const t0 = Date.now();
  // A flooded page may not take the click at all: that is a figure too (null times below).
  const taken = await page
    .getByRole('button', { name: 'Stop' })
    .click({ timeout: 120_000 })
    .then(() => page.getByTestId('run-status').filter({ hasText: 'done' }).waitFor({ timeout: 120_000 }))
    .then(
      () => true,
      (e) => {
        console.log(`stop rep ${rep + 1}: Stop not taken: ${e.message.split('\n')[0]}`);
        return false;
      },
    );
  const outerSeconds = taken ? (Date.now() - t0) / 1000 : null;
  if (!taken) {
    await page.close();
    return { samplesPerSecond: null, clickToDoneMs: null, outerSeconds: null, load1m: load[0] };
  }
  const { stop, frames, long } = await page.evaluate(() => ({
    stop: window.__stop,
    frames: window.__frames,
    long: window.__longTasks,
  }));
  const r = {
    samplesPerSecond: Number(speed?.replace(/,/g, '') ?? Number.NaN),
    clickToDoneMs: stop.doneAt - stop.clickAt,
    outerSeconds,
    epochsAfterClick: stop.epochs - stop.epochsAtClick,
    epochs: stop.epochs,
    longTasks: long.length,
    maxLongMs: Math.max(0, ...long),
    maxFrameGapMs: frames.maxGap,
    frameGapsOver100: frames.over100,
    load1m: load[0],
  };
  console.log(
    `stop rep ${rep + 1}: ${r.samplesPerSecond} samples/s, Stop click to done ${r.clickToDoneMs.toFixed(0)} ms (${outerSeconds.toFixed(1)} s from Playwright's click), ${r.epochsAfterClick} epochs after the click of ${r.epochs}, ${r.longTasks} long tasks (longest ${r.maxLongMs.toFixed(0)} ms), longest frame gap ${r.maxFrameGapMs.toFixed(0)} ms, load ${load.join(' ')}`,
  );
  await page.close();
  return r;
}

const date = new Date().toISOString().replace(/:/g, '-').slice(0, 19);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  `bench/results/responsiveness-${date}.json`,
  JSON.stringify({ date, chromium: CHROMIUM, loads, runs, stops }, null, 2),
);
const md = [
  `# Page responsiveness (${date})`,
  '',
  'Headless Chromium, 2 cores (load average at the start of each rep in the last column).',
  '',
  ...(loads.length
    ? [
        '## Loading a large CSV',
        '',
        `A generated CSV (${loads[0].mb.toFixed(0)} MB, ${loads[0].rows} rows, 9 columns) picked in the file input, until the dataset summary shows. Target: no main-thread task over 200 ms.`,
        '',
        '| rep | seconds to the summary | tasks over 200 ms | tasks over 50 ms | longest ms | load 1m |',
        '| --- | --- | --- | --- | --- | --- |',
        ...loads.map(
          (r, i) =>
            `| ${i + 1} | ${r.seconds.toFixed(1)} | ${r.over200} | ${r.longTasks} | ${r.maxMs.toFixed(0)} | ${r.load1m} |`,
        ),
        '',
      ]
    : []),
  ...(runs.length
    ? [
        '## Training',
        '',
        'Penguins sample, MLP with BatchNormalization and Dropout, 30 epochs, training in the Worker on WebGPU (SwiftShader). Long task = a main-thread task over 50 ms; target: none.',
        '',
        '| rep | training s | long tasks | longest ms | all long tasks ms | load 1m |',
        '| --- | --- | --- | --- | --- | --- |',
        ...runs.map(
          (r, i) =>
            `| ${i + 1} | ${r.seconds.toFixed(1)} | ${r.longTasks} | ${r.maxMs.toFixed(0)} | ${r.tasksMs.map((t) => t.toFixed(0)).join(', ') || '—'} | ${r.load1m} |`,
        ),
      ]
    : []),
  ...(stops.length
    ? [
        '',
        '## Stop on a tiny model on the CPU',
        '',
        `Penguins sample, logistic regression, batch size 1, on the CPU in the Worker; Stop clicked after ${process.env.BENCH_STOP_S ?? 5} s of training. Click to done: from the click event on the page to the train-end event; Playwright's: from its click call (which waits for the button to be stable across frames) to 'done' shown.`,
        '',
        '| rep | samples/s | click to done ms | Playwright click to done s | epochs after the click | long tasks | longest ms | longest frame gap ms | frame gaps over 100 ms | load 1m |',
        '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
        ...stops.map((r, i) =>
          r.clickToDoneMs === null
            ? `| ${i + 1} | — | Stop not taken within 2 min | — | — | — | — | — | — | ${r.load1m} |`
            : `| ${i + 1} | ${r.samplesPerSecond} | ${r.clickToDoneMs.toFixed(0)} | ${r.outerSeconds.toFixed(1)} | ${r.epochsAfterClick} | ${r.longTasks} | ${r.maxLongMs.toFixed(0)} | ${r.maxFrameGapMs.toFixed(0)} | ${r.frameGapsOver100} | ${r.load1m} |`,
        ),
      ]
    : []),
].join('\n');
writeFileSync(`bench/results/responsiveness-${date}.md`, `${md}\n`);
console.log(`saved bench/results/responsiveness-${date}.json and .md`);
