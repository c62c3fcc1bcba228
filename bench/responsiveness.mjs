// `npm run bench:ui`: how responsive the page stays while it trains. Builds the app, trains the
// penguins sample (MLP with BatchNormalization and Dropout, 30 epochs) in headless Chromium on WebGPU
// (SwiftShader), and records every main-thread long task (PerformanceObserver 'longtask': tasks over
// 50 ms). The target is none. Figures, not a test: saved as bench/results/responsiveness-<date>.json/.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { preview } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../scripts/chromium.mjs';
import { ensureNodeModules, ensureSystemPackages } from '../scripts/setup.mjs';

ensureNodeModules();
ensureSystemPackages();
if (spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' }).status !== 0)
  process.exit(1);

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
const server = await preview({ logLevel: 'error', preview: { host: '127.0.0.1', port: 0 } });
const url = server.resolvedUrls.local[0];
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const runs = [];
try {
  for (let rep = 0; rep < Number(process.env.BENCH_REPS ?? 3); rep++) {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(url);
    await page.getByRole('button', { name: 'Palmer penguins' }).click();
    await page.getByTestId('data-summary').waitFor();
    await page.getByRole('button', { name: 'MLP with BatchNormalization and Dropout' }).click();
    await page.evaluate(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push(e.duration);
      }).observe({ type: 'longtask' });
    });
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
} finally {
  await browser.close();
  await new Promise((resolve) => server.httpServer.close(resolve));
}

const date = new Date().toISOString().replace(/:/g, '-').slice(0, 19);
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  `bench/results/responsiveness-${date}.json`,
  JSON.stringify({ date, chromium: CHROMIUM, runs }, null, 2),
);
const md = [
  `# Page responsiveness while training (${date})`,
  '',
  'Penguins sample, MLP with BatchNormalization and Dropout, 30 epochs, training in the Worker on WebGPU (SwiftShader), headless Chromium, 2 cores. Long task = a main-thread task over 50 ms; target: none.',
  '',
  '| rep | training s | long tasks | longest ms | all long tasks ms | load 1m |',
  '| --- | --- | --- | --- | --- | --- |',
  ...runs.map(
    (r, i) =>
      `| ${i + 1} | ${r.seconds.toFixed(1)} | ${r.longTasks} | ${r.maxMs.toFixed(0)} | ${r.tasksMs.map((t) => t.toFixed(0)).join(', ') || '—'} | ${r.load1m} |`,
  ),
].join('\n');
writeFileSync(`bench/results/responsiveness-${date}.md`, `${md}\n`);
console.log(`saved bench/results/responsiveness-${date}.json and .md`);
