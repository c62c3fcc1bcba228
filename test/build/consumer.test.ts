// A web developer's view of the npm package: `npm pack`, install the tarball into a fresh Vite app,
// build it with Vite's defaults, and run it in headless Chromium. One page imports
// `webgpu-trainer/element` and the library and trains through the element (sample list, CSV and
// training Worker all found through the package's `new URL(..., import.meta.url)`); another imports
// only Sequential and Dense, trains in the page, and its bundle holds no UI (its size is printed).
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium, expect as pwExpect } from '@playwright/test';
import { build } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/chromium.mjs';

const root = resolve(import.meta.dirname, '../..');
let work: string;
let consumer: string;
let server: Server;
let origin: string;
let browser: Browser;

const ELEMENT_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>consumer: element</title></head>
<body><webgpu-trainer epochs="3"></webgpu-trainer><script type="module" src="./element.js"></script></body></html>
`;
// The element and the library from one app: both share one engine.
const ELEMENT_JS = `import 'webgpu-trainer/element';
import { getBackend } from 'webgpu-trainer';
document.body.dataset.libraryBackend = getBackend();
`;
const LIBRARY_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>consumer: library</title></head>
<body><script type="module" src="./library.js"></script></body></html>
`;
const LIBRARY_JS = `import { Dense, Sequential, tensor } from 'webgpu-trainer';
const model = new Sequential([new Dense({ units: 8, activation: 'relu', inputShape: [2] }), new Dense({ units: 1 })]);
model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
const x = tensor([0, 0, 0, 1, 1, 0, 1, 1, 0.5, 0.5, 0.2, 0.8, 0.9, 0.1, 0.3, 0.3], [8, 2]);
const y = tensor([0, 1, 1, 2, 1, 1, 1, 0.6], [8, 1]);
const history = await model.fit(x, y, { epochs: 20, batchSize: 4, seed: 1, verbose: 0 });
document.body.dataset.losses = JSON.stringify(history.history.loss);
`;

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.csv': 'text/csv',
};

/** The built consumer app, served as any static host would. */
function serve(dir: string): Promise<Server> {
  const s = createServer((req, res) => {
    const path = join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    try {
      const body = readFileSync(path);
      res.writeHead(200, { 'content-type': MIME[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((done) => s.listen(0, '127.0.0.1', () => done(s)));
}

const jsFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .map((f) => join(dir, f));

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'wgt-consumer-'));
  // The package as `npm pack` makes it, from a copy so the work tree stays as it is.
  const pkg = join(work, 'package');
  mkdirSync(pkg);
  for (const f of ['package.json', 'README.md']) copyFileSync(join(root, f), join(pkg, f));
  await build({
    root,
    mode: 'lib',
    logLevel: 'silent',
    build: { outDir: join(pkg, 'dist/lib'), sourcemap: false },
  });
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {
    cwd: pkg,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop() as string;

  consumer = join(work, 'app');
  mkdirSync(consumer);
  writeFileSync(
    join(consumer, 'package.json'),
    '{ "name": "consumer", "private": true, "type": "module" }\n',
  );
  execFileSync(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(work, tarball)],
    { cwd: consumer, stdio: 'pipe' },
  );
  writeFileSync(join(consumer, 'index.html'), ELEMENT_PAGE);
  writeFileSync(join(consumer, 'element.js'), ELEMENT_JS);
  writeFileSync(join(consumer, 'library.html'), LIBRARY_PAGE);
  writeFileSync(join(consumer, 'library.js'), LIBRARY_JS);
  // Vite's defaults, one build per page, so the library page's bundle is its own.
  for (const [page, outDir] of [
    ['index.html', 'dist/element'],
    ['library.html', 'dist/library'],
  ]) {
    await build({
      root: consumer,
      configFile: false,
      logLevel: 'silent',
      base: './',
      build: { outDir: join(consumer, outDir), rollupOptions: { input: join(consumer, page) } },
    });
  }
  server = await serve(join(consumer, 'dist'));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the element, installed from the tarball and bundled by Vite, loads a bundled sample and trains in its Worker', async () => {
  const assets = readdirSync(join(consumer, 'dist/element/assets'));
  // Vite found the package's Workers and samples and copied them into the app.
  expect(assets.some((f) => /^training-worker-.*\.js$/.test(f))).toBe(true);
  // (iris.csv and index.json are under Vite's 4 KiB inline limit, so they are data: URLs in the bundle.)
  expect(assets.some((f) => /^penguins-.*\.csv$/.test(f))).toBe(true);

  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${origin}/element/index.html`);
  await pwExpect(page.locator('body')).toHaveAttribute('data-library-backend', 'cpu');
  await page.getByRole('button', { name: 'Palmer penguins' }).click();
  await pwExpect(page.getByTestId('data-summary')).toContainText('penguins.csv');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await pwExpect(page.getByTestId('run-backend')).toContainText('in a Worker', { timeout: 30_000 });
  await pwExpect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  await page.close();
  expect(errors).toEqual([]);
}, 150_000);

test('an app importing only Sequential and Dense trains, and ships no UI', async () => {
  const files = jsFiles(join(consumer, 'dist/library'));
  const code = files.map((f) => readFileSync(f, 'utf8')).join('\n');
  expect(code).not.toContain('customElements.define');
  expect(code).not.toContain('lit-html');
  // The UI's element tags (the library's own format names, such as its tuning cache, may appear).
  expect(code).not.toContain('wt-backend-badge');
  // The element's bundle, built the same way, does hold them: the checks above can fail.
  const elementCode = jsFiles(join(consumer, 'dist/element'))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  expect(elementCode).toContain('customElements.define');
  expect(elementCode).toContain('wt-backend-badge');
  const bytes = files.reduce((n, f) => n + readFileSync(f).length, 0);
  const gzipped = files.reduce((n, f) => n + gzipSync(readFileSync(f)).length, 0);
  console.log(`consumer bundle importing only Sequential and Dense: ${bytes} B, ${gzipped} B gzipped`);

  const page = await browser.newPage();
  await page.goto(`${origin}/library/library.html`);
  await pwExpect(page.locator('body')).toHaveAttribute('data-losses', /\[/, { timeout: 60_000 });
  const losses: number[] = JSON.parse((await page.locator('body').getAttribute('data-losses')) as string);
  await page.close();
  expect(losses).toHaveLength(20);
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses[19]).toBeLessThan(losses[0]);
}, 90_000);
