/**
 * The kernels in headless Chromium: navigator.gpu on SwiftShader (core) and on llvmpipe through
 * OpenGL ES (compatibility mode), compared with the CPU backend inside the page (browser/page.ts),
 * every reduction candidate among them (SwiftShader's subgroup trees too).
 */
import { type Browser, chromium } from '@playwright/test';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, OPENGLES_ARGS } from '../../scripts/chromium.mjs';

let server: ViteDevServer;
let browser: Browser;
let results: Record<
  string,
  {
    description: string;
    featureLevel: string;
    subgroups: boolean;
    errors: Record<string, number>;
    error: string | null;
  }
>;

beforeAll(async () => {
  server = await createServer({
    server: { host: '127.0.0.1', port: 0 },
    logLevel: 'silent',
    clearScreen: false,
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('vite dev server did not report a port');
  // llvmpipe through OpenGL ES for requestAdapter({ featureLevel: 'compatibility' }) as well.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...OPENGLES_ARGS],
  });
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${address.port}/test/webgpu/browser/kernels.html`);
  await page.waitForFunction(
    () => (window as unknown as { __kernelResults?: unknown }).__kernelResults,
    null,
    {
      timeout: 120_000,
    },
  );
  const r = await page.evaluate(() => (window as unknown as { __kernelResults: unknown }).__kernelResults);
  if ((r as { failure?: string }).failure)
    throw new Error(`the page failed: ${(r as { failure: string }).failure}`);
  results = r as typeof results;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('WebGPU kernels in headless Chromium match the CPU', () => {
  for (const featureLevel of ['core', 'compatibility']) {
    it(`${featureLevel} adapter`, () => {
      const r = results[featureLevel];
      expect(r.featureLevel).toBe(featureLevel);
      expect(r.error).toBeNull();
      expect(Object.keys(r.errors).length).toBeGreaterThan(10);
      // Serial and tree kernels at 32, 64 and 256 threads (as the adapter allows), subgroup trees where it has them.
      const reductions = Object.keys(r.errors).filter((name) => name.startsWith('reduce '));
      expect(reductions.some((name) => name.startsWith('reduce tree wg32:'))).toBe(true);
      expect(reductions.some((name) => name.startsWith('reduce subgroup '))).toBe(r.subgroups);
      for (const [name, err] of Object.entries(r.errors))
        expect(err, `${r.description}: ${name}`).toBeLessThan(1e-4);
    });
  }
});
