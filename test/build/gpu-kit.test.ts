// The GPU kit (`npm run gpu-kit`, issue 17) is for a machine with no Node, npm or network, which
// these machines never are; so it is built here and run the way a session runs it on a lent GPU
// machine: scripts/device-run.sh from a copy of the tree holding only what travels (the script and
// the carried dist/gpu-kit), $OUT set, an empty environment but PATH (where `node`, `npm` and `npx`
// are stubs that fail and leave a mark) and the Vulkan driver, on SwiftShader (allowed with
// --allow-fallback), in its smoke mode. Every stage must produce its results, within its budget.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ParityRow } from '../../bench/node/parity';
import type { SweepPlan } from '../../bench/node/sweep';
import { builtinFor, candidatesFor, type TunerEnv, tunedId } from '../../src/backend/webgpu/tune/families';

/** The device limits the families' candidates are checked against, wherever the type lives. */
type WorkgroupLimits = Parameters<typeof candidatesFor>[2];

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
const BUDGET_S = 240;
let root: string;
let tree: string;
let kit: string;
let stubs: string;
let built: ReturnType<typeof spawnSync>;

/** A bare machine's environment: PATH with node, npm and npx stubbed out, and the Vulkan driver. */
const bareEnv = (extra: Record<string, string> = {}) => ({
  PATH: `${stubs}:/usr/sbin:/usr/bin:/sbin:/bin`,
  HOME: root,
  VK_ICD_FILENAMES: SWIFTSHADER,
  ...extra,
});

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const one = (dir: string, prefix: string) => {
  const name = readdirSync(dir).find((f) => f.startsWith(prefix) && f.endsWith('.json'));
  if (!name) throw new Error(`no ${prefix}*.json in ${dir}: ${readdirSync(dir).join(', ')}`);
  return json(join(dir, name));
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'wgt-kit-'));
  tree = join(root, 'tree');
  kit = join(tree, 'dist', 'gpu-kit');
  stubs = join(root, 'stubs');
  mkdirSync(join(tree, 'scripts'), { recursive: true });
  mkdirSync(stubs);
  for (const tool of ['node', 'npm', 'npx']) {
    writeFileSync(join(stubs, tool), `#!/bin/sh\necho "$0 $*" >> "${root}/used-node"\nexit 127\n`);
    chmodSync(join(stubs, tool), 0o755);
  }
  cpSync('scripts/device-run.sh', join(tree, 'scripts', 'device-run.sh'));
  built = spawnSync(process.execPath, ['scripts/gpu-kit.mjs', '--fast', '--out', kit], { encoding: 'utf8' });
}, 240_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

test('the kit builds within the carry limit with Node, Dawn, the bundle and the libraries', () => {
  expect(built.status, `${built.stdout}\n${built.stderr}`).toBe(0);
  for (const f of [
    'node.xz',
    'bench-node.mjs',
    'torch_bench.py',
    'run.sh',
    'lib/libvulkan.so.1',
    'lib/libGLdispatch.so.0',
  ])
    expect(existsSync(join(kit, f)), f).toBe(true);
  expect(existsSync(join(kit, 'node_modules/webgpu/dist/linux-x64/dawn.node.xz'))).toBe(true);
  // Only linux-x64 of Dawn's five platform binaries travels.
  expect(readdirSync(join(kit, 'node_modules/webgpu/dist'))).toEqual(['linux-x64']);
  expect(String(built.stdout)).toMatch(/of the 64 MiB a lent machine takes/);
  expect(json(join(kit, 'kit.json')).commit).toMatch(/^[0-9a-f]{7,}/);
});

test('on a software adapter the kit refuses to measure unless told to, and says so', () => {
  const out = join(root, 'refused');
  const r = spawnSync(join(kit, 'run.sh'), ['--out', out, '--smoke'], {
    encoding: 'utf8',
    timeout: 200_000,
    env: bareEnv(),
  });
  expect(r.status).toBe(1);
  expect(r.stdout).toContain('refusing to measure it');
  expect(json(join(out, 'adapter.json')).isFallbackAdapter).toBe(true);
  expect(readFileSync(join(out, 'stages.md'), 'utf8')).toContain(
    'REFUSED: only a fallback (software) adapter',
  );
  // The kit's folder is only read: what it unpacks goes to a work folder of its own.
  expect(existsSync(join(kit, 'node'))).toBe(false);
}, 220_000);

/** The sweep rows must be exactly the families' candidates for the shapes each case met, as filtered. */
function checkSweep(parity: {
  env: TunerEnv;
  limits: WorkgroupLimits;
  sweepFilter: string;
  plans: SweepPlan[];
  rows: ParityRow[];
}) {
  const filter = new RegExp(parity.sweepFilter);
  const swept = parity.rows.filter((r) => r.candidate !== undefined);
  const expected = parity.plans.flatMap((plan) => {
    const ids = plan.shapes.flatMap((s) => [
      builtinFor(parity.env, s),
      ...candidatesFor(s, parity.env, parity.limits, true),
    ]);
    expect(plan.candidates.sort()).toEqual([...new Set(ids.map(tunedId))].sort());
    return plan.candidates
      .filter((id) => filter.test(`${plan.case}: ${id}`))
      .map((id) => `${plan.case}: ${id}`);
  });
  expect(swept.map((r) => `${r.case}: ${r.candidate}`).sort()).toEqual(expected.sort());
  expect(new Set(swept.map((r) => r.family))).toEqual(new Set(['sweep matmul', 'sweep conv']));
  expect(swept.filter((r) => !r.pass)).toEqual([]);
}

/** scripts/device-run.sh from the simulated tree; its $OUT's archive unpacked into `results`. */
function deviceRun(args: string[], name: string) {
  const out = join(root, name);
  const results = join(root, `${name}-results`);
  mkdirSync(out);
  mkdirSync(results);
  const start = Date.now();
  const r = spawnSync('bash', ['scripts/device-run.sh', '--allow-fallback', ...args], {
    cwd: tree,
    encoding: 'utf8',
    timeout: (BUDGET_S + 60) * 1000,
    env: bareEnv({ OUT: out }),
  });
  const tookS = (Date.now() - start) / 1000;
  const untar = spawnSync('tar', ['-xzf', join(out, 'kit-results.tar.gz'), '-C', results]);
  // stages.md's rows as [name, budget, took, outcome], the header dropped.
  const stages = readFileSync(join(results, 'stages.md'), 'utf8')
    .split('\n')
    .filter((l) => /^\| [a-zA-Z]/.test(l))
    .slice(1)
    .map((l) => l.replace(/^\| | \|$/g, '').split(' | '));
  return { r, tookS, out, results, untarred: untar.status === 0, stages };
}

test('a stage past the total budget is cut with what it wrote, the rest skipped, and the results still come back', () => {
  // The whole sweep takes minutes on SwiftShader; a 45 s budget leaves the parity stage about 27.
  const cut = deviceRun(['--smoke', '--budget-s', '45', '--sweep-filter', '.'], 'cut');
  expect(cut.untarred).toBe(true);
  expect(cut.r.status, cut.r.stdout.slice(-3000)).toBe(124);
  expect(cut.tookS).toBeLessThan(45 + 15);
  expect(readdirSync(cut.out).sort()).toEqual(['SUMMARY.md', 'kit-results.tar.gz', 'run.log']);
  const outcome = Object.fromEntries(cut.stages.map(([name, , , last]) => [name, last]));
  expect(outcome.adapter).toBe('ok');
  expect(outcome.parity).toMatch(/^cut at its \d+s limit/);
  expect(outcome.tuning).toBe('skipped: out of time');
  expect(outcome['bench ours:cpu']).toBe('skipped: out of time');
  // The parity file is the last complete one written before the cut: the kernel rows at least.
  const parity = one(cut.results, 'parity-');
  expect(parity.rows.filter((row: ParityRow) => row.candidate === undefined).length).toBeGreaterThanOrEqual(
    8,
  );
  expect(readFileSync(join(cut.out, 'SUMMARY.md'), 'utf8')).toContain('# Parity: WebGPU');
}, 120_000);

test(
  'the prepared device command runs every stage from the kit alone, in time, and brings back its results',
  () => {
    const { r, tookS, out, results, untarred, stages } = deviceRun(
      ['--smoke', '--budget-s', String(BUDGET_S)],
      'out',
    );
    expect(r.status, r.stdout.slice(-3000)).toBe(0);
    expect(untarred).toBe(true);
    expect(tookS).toBeLessThan(BUDGET_S + 40);
    expect(existsSync(join(root, 'used-node')), 'a stub of node/npm/npx was run').toBe(false);
    // Node and Dawn were unpacked inside the tree's copy (not a maybe-noexec /tmp) and removed after.
    expect(readFileSync(join(out, 'run.log'), 'utf8')).toContain(
      `work folder ${join(tree, 'dist', '.gpu-kit-work')}`,
    );
    expect(readdirSync(join(tree, 'dist'))).toEqual(['gpu-kit']);
    // What the device tool brings back: at most 8 files, here 3, none in folders.
    expect(readdirSync(out).sort()).toEqual(['SUMMARY.md', 'kit-results.tar.gz', 'run.log']);
    const torch = !r.stdout.includes('no PyTorch rows');
    const stageNames = [
      'adapter',
      'parity',
      'tuning',
      'bench ours:webgpu',
      'PyTorch',
      'bench tfjs, jax',
      'bench ours:webgpu, tuning off',
      'bench ours:cpu',
    ];
    expect(stages.map(([name]) => name)).toEqual(stageNames.filter((n) => n !== 'PyTorch' || torch));
    for (const stage of stages) expect(stage.at(-1), stage[0]).toBe('ok');

    const parity = one(results, 'parity-');
    expect(parity.rows.filter((row: ParityRow) => !row.pass)).toEqual([]);
    expect(parity.rows.filter((row: ParityRow) => row.family === 'fit').length).toBeGreaterThanOrEqual(4);
    checkSweep(parity);

    const tuning = one(results, 'tuning-');
    expect(tuning.workloads.map((w: { workload: string }) => w.workload)).toEqual(['W1', 'W3']);
    const [w1, w3] = tuning.workloads;
    for (const w of tuning.workloads) expect(w.error).toBeUndefined();
    expect(w1.timings.length).toBeGreaterThan(0);
    for (const c of w1.info.choices) expect(c.builtinMs).toBeGreaterThan(0);
    // W3's products (about 1,000 multiply-adds) are under the tuner's bound: none is timed.
    expect(w3.timings).toEqual([]);
    expect(w3.info.choices).toEqual([]);

    const benches = ['node-ours-webgpu-quick', 'node-others-webgpu', 'node-ours-cpu'].flatMap(
      (p) => one(results, p).rows,
    );
    const ok = benches.filter((row: { status: string }) => row.status === 'ok');
    const names = ok.map(
      (row: { lib: string; backend: string; spec: { workload: string } }) =>
        `${row.lib} ${row.backend} ${row.spec.workload}`,
    );
    expect(names.sort()).toEqual(
      ['ours webgpu', 'tfjs webgpu', 'jax webgpu', 'ours cpu'].flatMap((l) => [`${l} W1`, `${l} W3`]).sort(),
    );
    for (const row of ok) expect(row.summary.metric.median).toBeGreaterThan(0);
    // The built-in rules' end-to-end run beside the tuned one.
    const rule = one(results, 'node-ours-webgpu-rule');
    expect(rule.notes).toContain("Our kernel tuning: off (BENCH_TUNING; 'off' is the built-in rules).");
    expect(rule.rows.map((row: { status: string }) => row.status)).toEqual(['ok', 'ok']);

    const summary = readFileSync(join(out, 'SUMMARY.md'), 'utf8');
    for (const part of ['| stage |', '# Parity: WebGPU', '## Candidate sweep', "# Tuning ('thorough')"])
      expect(summary).toContain(part);
    if (torch) {
      const rows = json(join(results, 'torch.json')).rows;
      expect(rows.map((row: { status: string }) => row.status)).not.toContain('error');
      expect(rows.length).toBeGreaterThanOrEqual(5);
    }
  },
  (BUDGET_S + 90) * 1000,
);
