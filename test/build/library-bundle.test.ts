// The library bundle is what `npm run build:lib` ships: it must import in plain Node (no browser, no
// DOM, no Lit) and compute the same values as the sources.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';

let outDir: string;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'wgt-lib-'));
  await build({ mode: 'lib', logLevel: 'silent', build: { outDir, sourcemap: false } });
}, 120_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

test('the ESM bundle imports in Node and differentiates', async () => {
  const lib = await import(pathToFileURL(join(outDir, 'index.js')).href);
  const x = lib.tensor([1, 2, 3], [3]);
  const { value, grads } = lib.valueAndGrad((v: unknown) => lib.sum(lib.mul(v, v)))(x);
  expect(await value.item()).toBe(14);
  expect(Array.from(await grads[0].data())).toEqual([2, 4, 6]);
});

test('the bundle carries no UI code', () => {
  const source = readFileSync(join(outDir, 'index.js'), 'utf8');
  expect(source).not.toMatch(/from ['"]lit/);
  expect(source).not.toContain('customElements.define');
});
