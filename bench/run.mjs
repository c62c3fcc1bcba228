// `npm run bench`: runs the benchmark page in headless Chromium once per adapter configuration, prints
// a table and saves bench/results/<date>.json and .md. Figures, not tests: nothing here asserts speed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../scripts/chromium.mjs';
import { ensureNodeModules, ensureSystemPackages } from '../scripts/setup.mjs';

ensureNodeModules();
ensureSystemPackages();

const BASE_ARGS = CHROMIUM_ARGS;

/** Chromium set-ups: SwiftShader (core WebGPU) and llvmpipe through OpenGL ES (compatibility mode). */
const CONFIGS = [
  { name: 'swiftshader', args: BASE_ARGS },
  {
    name: 'llvmpipe-gles',
    args: [...BASE_ARGS, '--use-angle=gl-egl', '--use-webgpu-adapter=opengles', '--force-webgpu-compat'],
  },
];

const SIZES = (process.env.BENCH_SIZES ?? '256,512,1024').split(',').map(Number);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await createServer({
  root: process.cwd(),
  logLevel: 'error',
  server: { host: '127.0.0.1', port: 0 },
});
await server.listen();
const url = `${server.resolvedUrls.local[0]}bench/index.html`;
const rows = [];

try {
  for (const config of CONFIGS) {
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: config.args });
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => window.bench !== undefined);
    const adapter = await page.evaluate(() => window.bench.adapter());
    for (const backend of ['webgpu', 'cpu']) {
      // The CPU backend does not depend on the adapter: measure it once.
      if (backend === 'cpu' && config !== CONFIGS[0]) continue;
      for (const n of SIZES) {
        const reps = n >= 1024 ? 3 : 5;
        const load = loadavg()[0];
        const t = await page.evaluate(([b, size, r]) => window.bench.matmul(b, size, r), [backend, n, reps]);
        const gflops = (ms) => (2 * n ** 3) / (ms * 1e6);
        const row = {
          workload: `W1 matmul n=${n} (with readback)`,
          config: config.name,
          adapter,
          backend: t.backend,
          backendDescription: t.description,
          fallbackReason: t.fallbackReason,
          ms: { median: median(t.times), min: Math.min(...t.times), max: Math.max(...t.times) },
          gflops: { median: gflops(median(t.times)), best: gflops(Math.min(...t.times)) },
          loadavg1: load,
        };
        rows.push(row);
        console.log(
          `${row.workload.padEnd(34)} ${config.name.padEnd(14)} ${backend.padEnd(7)} ` +
            `${row.ms.median.toFixed(1).padStart(9)} ms  ${row.gflops.median.toFixed(2).padStart(7)} GFLOP/s` +
            `${t.fallbackReason ? `  (fell back: ${t.fallbackReason})` : ''}`,
        );
      }
    }
    await browser.close();
  }
} finally {
  await server.close();
}

const date = new Date().toISOString().replace(/[:]/g, '-').slice(0, 19);
const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, chromium: CHROMIUM };
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/${date}.json`, JSON.stringify({ date, machine, rows }, null, 2));
const md = [
  `# Benchmarks ${date}`,
  '',
  `Machine: ${machine.cpus} cores, ${machine.cpuModel}; headless Chromium (${CHROMIUM}).`,
  '',
  '| workload | config | backend | median ms | min–max ms | GFLOP/s (median) | load avg |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.workload} | ${r.config} | ${r.backendDescription} | ${r.ms.median.toFixed(1)} | ` +
      `${r.ms.min.toFixed(1)}–${r.ms.max.toFixed(1)} | ${r.gflops.median.toFixed(2)} | ${r.loadavg1.toFixed(2)} |`,
  ),
].join('\n');
writeFileSync(`bench/results/${date}.md`, `${md}\n`);
writeFileSync('bench/results/latest.md', `${md}\n`);
console.log(`\nsaved bench/results/${date}.json and .md`);
