// The Custom Elements Manifest that `npm run build` writes documents the element's public API,
// read from the sources by the standard analyzer: attributes, events, theming properties, parts.
// Writing it leaves package.json alone, whose `customElements` names the shipped file.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { afterAll, expect, test } from 'vitest';

const outdir = 'node_modules/.cache/cem-test';
const packageJsonBefore = readFileSync('package.json', 'utf8');
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

interface Declaration {
  tagName?: string;
  customElement?: boolean;
  attributes?: { name: string }[];
  events?: { name: string }[];
  cssProperties?: { name: string }[];
  cssParts?: { name: string }[];
}

test('the manifest describes <webgpu-trainer> and the wt- elements', () => {
  // The `cem` script's own settings (custom-elements-manifest.config.mjs), written elsewhere.
  const run = spawnSync('npx', ['cem', 'analyze', '--outdir', outdir], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  const manifest = JSON.parse(readFileSync(`${outdir}/custom-elements.json`, 'utf8'));
  const elements: Declaration[] = manifest.modules
    .flatMap((m: { declarations?: Declaration[] }) => m.declarations ?? [])
    .filter((d: Declaration) => d.customElement);
  const trainer = elements.find((d) => d.tagName === 'webgpu-trainer');
  const names = (list?: { name: string }[]) => (list ?? []).map((x) => x.name).sort();
  expect(names(trainer?.attributes)).toEqual([
    'autostart',
    'backend',
    'base-url',
    'compact',
    'epochs',
    'model',
    'src',
    'target',
  ]);
  expect(names(trainer?.events)).toEqual(['wt-epoch-end', 'wt-error', 'wt-train-begin', 'wt-train-end']);
  expect(names(trainer?.cssProperties)).toEqual(
    expect.arrayContaining(['--wt-accent', '--wt-bg', '--wt-fg']),
  );
  expect(names(trainer?.cssParts)).toEqual(['panel']);
  // Every other element carries the wt- prefix, so none can clash with a host page's own tags.
  for (const d of elements) if (d.tagName !== 'webgpu-trainer') expect(d.tagName).toMatch(/^wt-/);
});

test('running the analyzer leaves package.json as it was, naming the manifest the package ships', () => {
  // The analyzer rewrites `customElements` to the --outdir of each run unless told not to; the test
  // above ran it with another outdir.
  expect(readFileSync('package.json', 'utf8')).toBe(packageJsonBefore);
  const pkg = JSON.parse(packageJsonBefore);
  expect(pkg.customElements).toBe('dist/custom-elements.json');
  expect(pkg.files).toContain('dist');
  expect(pkg.scripts.cem).toBe('cem analyze');
});
