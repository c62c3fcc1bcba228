// The GPU kit (`npm run gpu-kit`, issue 17) is for a machine with no Node, npm or network, which
// these machines never are; so it is built here and run the way it would be there: from its own
// folder, with an empty environment but PATH and the Vulkan driver, on SwiftShader (allowed with
// --allow-fallback), in its smoke mode. Every step must produce its results.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
let root: string;
let kit: string;
let built: ReturnType<typeof spawnSync>;

/** run.sh as on a bare machine: no inherited environment, no node on a path it relies on. */
function runKit(args: string[], out: string) {
  return spawnSync(join(kit, 'run.sh'), ['--out', out, ...args], {
    encoding: 'utf8',
    timeout: 400_000,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: root, VK_ICD_FILENAMES: SWIFTSHADER },
  });
}

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const one = (dir: string, prefix: string) => {
  const name = readdirSync(dir).find((f) => f.startsWith(prefix) && f.endsWith('.json'));
  if (!name) throw new Error(`no ${prefix}*.json in ${dir}: ${readdirSync(dir).join(', ')}`);
  return json(join(dir, name));
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'wgt-kit-'));
  kit = join(root, 'kit');
  built = spawnSync(process.execPath, ['scripts/gpu-kit.mjs', '--fast', '--out', kit], { encoding: 'utf8' });
}, 240_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

test('the kit builds under its size limit with Node, Dawn, the bundle and the libraries', () => {
  expect(built.status, `${built.stdout}\n${built.stderr}`).toBe(0);
  for (const f of ['node.xz', 'bench-node.mjs', 'torch_bench.py', 'run.sh', 'lib/libvulkan.so.1'])
    expect(existsSync(join(kit, f)), f).toBe(true);
  expect(existsSync(join(kit, 'node_modules/webgpu/dist/linux-x64/dawn.node.xz'))).toBe(true);
  // Only linux-x64 of Dawn's five platform binaries travels.
  expect(readdirSync(join(kit, 'node_modules/webgpu/dist'))).toEqual(['linux-x64']);
  expect(String(built.stdout)).toMatch(/MiB/);
});

test('on a software adapter the kit refuses to measure unless told to', () => {
  const out = join(root, 'refused');
  const r = runKit(['--smoke'], out);
  expect(r.status).toBe(1);
  expect(r.stdout).toContain('refusing to measure it');
  expect(json(join(out, 'adapter.json')).isFallbackAdapter).toBe(true);
}, 120_000);

test('its smoke run measures, checks parity and runs the PyTorch script from the kit alone', () => {
  const out = join(root, 'results');
  const r = runKit(['--smoke', '--allow-fallback'], out);
  expect(r.status, r.stdout.slice(-3000)).toBe(0);
  const bench = one(out, 'node-');
  const ok = bench.rows.filter((row: { status: string }) => row.status === 'ok');
  const names = ok.map(
    (row: { lib: string; spec: { workload: string } }) => `${row.lib} ${row.spec.workload}`,
  );
  expect(names).toEqual(expect.arrayContaining(['ours W1', 'ours W3', 'tfjs W1', 'tfjs W3']));
  for (const row of ok) expect(row.summary.metric.median).toBeGreaterThan(0);
  const parity = one(out, 'parity-');
  expect(parity.rows.length).toBeGreaterThanOrEqual(10);
  expect(parity.rows.filter((row: { pass: boolean }) => !row.pass)).toEqual([]);
  expect(readFileSync(join(out, 'SUMMARY.md'), 'utf8')).toContain('# Parity: WebGPU');
  const torch =
    spawnSync('/usr/bin/python3', ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
  if (torch) {
    const rows = json(join(out, 'torch.json')).rows;
    expect(rows.map((row: { status: string }) => row.status)).not.toContain('error');
    expect(rows.length).toBeGreaterThanOrEqual(5);
  } else {
    expect(r.stdout).toContain('no PyTorch rows');
  }
}, 420_000);
