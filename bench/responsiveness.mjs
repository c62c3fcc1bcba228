// `npm run bench:ui`: how responsive the page stays while it loads a large file and while it trains.
// Builds the app; loads a generated 50 MB CSV (BENCH_CSV_MB, written to a temporary file, never
// committed) through the file input and times it to the dataset summary, counting main-thread tasks
// over 200 ms (target: none); then trains the penguins sample (MLP with BatchNormalization and
// Dropout, 30 epochs) in headless Chromium on WebGPU (SwiftShader), recording every main-thread long
// task (PerformanceObserver 'longtask': tasks over 50 ms; target: none). BENCH_UI=load or train runs
// one part. Figures, not a test: saved as bench/results/responsiveness-<date>.json/.md.
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
const parts = (process.env.BENCH_UI ?? 'load,train').split(',');
const reps = Number(process.env.BENCH_REPS ?? 3);
const runs = [];
const loads = [];
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
} finally {
  rmSync(csvDir, { recursive: true, force: true });
  await browser.close();
  await new Promise((resolve) => server.httpServer.close(resolve));
}

const date = new Date().toISOString().replace(/:/g, '-').slice(0, 19);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  `bench/results/responsiveness-${date}.json`,
  JSON.stringify({ date, chromium: CHROMIUM, loads, runs }, null, 2),
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
].join('\n');
writeFileSync(`bench/results/responsiveness-${date}.md`, `${md}\n`);
console.log(`saved bench/results/responsiveness-${date}.json and .md`);
