// `npm run screenshots`: the README's pictures of the app, taken in headless Chromium (WebGPU on
// SwiftShader) from the built app: the fresh page, a trained classification, its evaluation, and the
// page 360 px wide in the dark theme. Writes docs/screenshot-*.png (or into OUT_DIR), each checked
// to stay under 300 KB. Build first (`npx vite build`); this serves dist/app with `vite preview`.
import { spawn } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.mjs';

const port = Number(process.env.PORT ?? 4874);
const out = process.env.OUT_DIR ?? 'docs';
const base = `http://127.0.0.1:${port}/`;
const LIMIT = 300 * 1024;

async function serve() {
  // Vite itself, not through npx: killing npx's process left the preview server running on the port.
  const server = spawn(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'preview', '--port', String(port), '--strictPort'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(base)).ok) return server;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  server.kill();
  throw new Error(`vite preview did not answer on ${base}`);
}

/** Trains a sample for `epochs` epochs from a fresh page and waits for the evaluation. */
async function train(page, sample, epochs) {
  await page.goto(base);
  await page.getByRole('button', { name: sample }).click();
  await page.getByTestId('data-summary').waitFor();
  await page.getByLabel('epochs').fill(String(epochs));
  await page.getByLabel('epochs').dispatchEvent('change');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByTestId('test-metrics').waitFor({ timeout: 120_000 });
  // The charts build their plots in a task of their own after the render.
  await page.waitForTimeout(800);
}

async function shoot(target, name, options = {}) {
  const path = join(out, name);
  await target.screenshot({ path, ...options });
  const size = statSync(path).size;
  console.log(`${path}: ${(size / 1024).toFixed(0)} KB`);
  if (size > LIMIT) throw new Error(`${path} is ${size} bytes, over the ${LIMIT} limit`);
}

const server = await serve();
const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
try {
  mkdirSync(out, { recursive: true });
  const desktop = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  await desktop.goto(base);
  await desktop.locator('wt-backend-badge span[data-state="webgpu"]').waitFor();
  await shoot(desktop, 'screenshot-fresh.png');

  await train(desktop, 'Palmer penguins', 30);
  await shoot(desktop.locator('wt-train-panel'), 'screenshot-trained.png');
  await shoot(desktop.locator('wt-eval-panel'), 'screenshot-evaluation.png');

  const phone = await browser.newPage({ viewport: { width: 360, height: 780 }, colorScheme: 'dark' });
  await train(phone, 'Iris flowers', 10);
  await phone.locator('wt-eval-panel').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await shoot(phone, 'screenshot-360-dark.png');
} finally {
  await browser.close();
  server.kill();
}
