// The kit's modes other than the benchmarks: `adapter` (what Dawn offers), `parity` (kernel
// families, the candidate sweep and short fits against the CPU in float64) and `tuning` (the
// 'thorough' tuning report). Each writes its JSON and Markdown after every section or row, so a
// stage cut by its time limit (run.sh) keeps what it had.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import type { Workload } from '../runner';
import { type AdapterReport, adapterName, describeAdapter, installNavigatorGpu } from './dawn';
import { writeResult } from './files';
import { fitParity, kernelParity, type ParityRow } from './parity';
import { candidateSweep, type SweepPlan } from './sweep';
import { type TuningSpec, type TuningWorkload, tuningMarkdown, tuningReport } from './tuning';

export type Args = Record<string, string | boolean>;

const stamp = () => new Date().toISOString().replace(/[:]/g, '-').slice(0, 19);

async function requireAdapter(): Promise<AdapterReport> {
  installNavigatorGpu();
  const a = await describeAdapter();
  if (!a)
    throw new Error('no WebGPU adapter from Dawn: set VK_ICD_FILENAMES / VK_DRIVER_FILES to a Vulkan driver');
  return a;
}

export async function adapterMode(args: Args) {
  const out = String(args.out ?? 'bench/results');
  const a = await requireAdapter();
  writeFileSync(join(out, 'adapter.json'), JSON.stringify(a, null, 2));
  const limits = Object.entries(a.limits).map(([k, v]) => `${k} ${v}`);
  writeFileSync(
    join(out, 'adapter.md'),
    `# Adapter: ${adapterName(a)}\n\nDawn in Node ${process.version}. Features: ${a.features.join(', ')}.\n\nLimits: ${limits.join('; ')}.\n`,
  );
  console.log(`adapter: ${adapterName(a)}\nfeatures: ${a.features.join(', ')}`);
}

/** A row counts as failed when it was checked and did not pass (a sweep row past its deadline was not checked). */
const failed = (r: ParityRow) => !r.pass && r.checked !== false;
const unchecked = (r: ParityRow) => r.checked === false;

const errText = (e: number) => (Number.isFinite(e) ? e.toExponential(2) : String(e));

const result = (r: ParityRow) =>
  r.checked === false
    ? 'not checked'
    : r.pass
      ? 'pass'
      : `FAIL${r.error ? `: ${r.error.replace(/\|/g, '/')}` : ''}`;

/**
 * The sweep as one line per (family, candidate): its cases, the worst error over them, and how many
 * failed or were not checked; each failing row in full below the table.
 */
function sweepMarkdown(sweep: ParityRow[], plans: SweepPlan[]): string[] {
  const families = [...new Set(plans.map((p) => p.family))];
  const byCandidate = new Map<string, ParityRow[]>();
  for (const r of sweep) {
    const key = `${r.family.replace(/^sweep /, '')} | ${r.candidate}`;
    byCandidate.set(key, [...(byCandidate.get(key) ?? []), r]);
  }
  const worst = (rs: ParityRow[]) =>
    Math.max(...rs.filter((r) => r.checked !== false).map((r) => r.maxError));
  const bad = sweep.filter(failed);
  return [
    `## Candidate sweep: ${sweep.length} rows, ${byCandidate.size} candidates, ${bad.length} failed` +
      `${sweep.some(unchecked) ? `, ${sweep.filter(unchecked).length} not checked (out of time)` : ''}`,
    '',
    `Every kernel tuning may pick for the tuned families met (${families.join(', ') || 'none'}), each forced ` +
      'on every shape of its case that offers it, outputs and gradients against the CPU in float64.',
    '',
    '| family | candidate | cases | worst relative error | failed | not checked |',
    '| --- | --- | --- | --- | --- | --- |',
    ...[...byCandidate].map(
      ([key, rs]) =>
        `| ${key} | ${rs.length} | ${errText(worst(rs))} | ${rs.filter(failed).length} | ${rs.filter(unchecked).length} |`,
    ),
    ...(bad.length > 0
      ? ['', '| failed: case | candidate | classes | error | result |', '| --- | --- | --- | --- | --- |']
      : []),
    ...bad.map(
      (r) =>
        `| ${r.case} | ${r.candidate ?? ''} | ${(r.classes ?? []).join('; ')} | ${errText(r.maxError)} | ${result(r)} |`,
    ),
  ];
}

export function parityMarkdown(adapter: AdapterReport, rows: ParityRow[], plans: SweepPlan[]): string {
  const bad = rows.filter(failed).length;
  const notRun = rows.filter(unchecked).length;
  const sweep = rows.filter((r) => r.candidate !== undefined || r.family === 'sweep');
  const rest = rows.filter((r) => !sweep.includes(r));
  return [
    `# Parity: WebGPU (${adapterName(adapter)}) against the CPU backend in float64`,
    '',
    `${rows.length - bad - notRun} passed, ${bad} failed${notRun ? `, ${notRun} not checked (out of time)` : ''}.`,
    '',
    '| family | case | worst relative error | tolerance | result |',
    '| --- | --- | --- | --- | --- |',
    ...rest.map(
      (r) => `| ${r.family} | ${r.case} | ${errText(r.maxError)} | ${r.tolerance} | ${result(r)} |`,
    ),
    '',
    ...(sweep.length > 0 || plans.length > 0 ? sweepMarkdown(sweep, plans) : []),
    '',
  ].join('\n');
}

const SECTIONS = ['kernels', 'sweep', 'fits'];

/**
 * parity --out DIR [--quick] [--seed S] [--sections kernels,sweep,fits] [--sweep-filter RE] [--deadline-s S]
 * The exit code is 1 when a checked row fails.
 */
export async function parityMode(args: Args) {
  const out = String(args.out ?? 'bench/results');
  const adapter = await requireAdapter();
  const seed = Number(args.seed ?? (Date.now() ^ (Math.random() * 2 ** 31)) >>> 0);
  const quick = Boolean(args.quick);
  const sections = typeof args.sections === 'string' ? args.sections.split(',') : SECTIONS;
  const unknown = sections.filter((s) => !SECTIONS.includes(s));
  if (unknown.length > 0)
    throw new Error(`parity: unknown section(s) ${unknown.join(', ')}; expected ${SECTIONS}`);
  const filter = typeof args['sweep-filter'] === 'string' ? new RegExp(args['sweep-filter']) : undefined;
  const deadline = args['deadline-s'] ? Date.now() + Number(args['deadline-s']) * 1000 : undefined;
  const gpu = await WebGPUBackend.create({ powerPreference: 'high-performance' });
  const { choices: _, ...env } = gpu.env;
  const limits = {
    maxComputeInvocationsPerWorkgroup: gpu.device.limits.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: gpu.device.limits.maxComputeWorkgroupSizeX,
    maxComputeWorkgroupSizeY: gpu.device.limits.maxComputeWorkgroupSizeY,
    maxComputeWorkgroupStorageSize: gpu.device.limits.maxComputeWorkgroupStorageSize,
  };
  const stem = join(out, `parity-${stamp()}`);
  let rows: ParityRow[] = [];
  let plans: SweepPlan[] = [];
  const save = (extra: ParityRow[] = []) => {
    const all = [...rows, ...extra];
    const summary = { passed: all.filter((r) => r.pass).length, failed: all.filter(failed).length };
    const meta = { seed, sections, sweepFilter: filter?.source ?? null, env, limits, summary };
    writeResult(
      `${stem}.json`,
      JSON.stringify({ date: stamp(), ...meta, adapter, plans, rows: all }, null, 2),
    );
    writeResult(`${stem}.md`, parityMarkdown(adapter, all, plans));
  };
  for (const section of sections) {
    console.log(`parity: ${section}`);
    if (section === 'kernels') rows.push(...(await kernelParity(gpu, seed, quick)));
    else if (section === 'fits') rows.push(...(await fitParity(gpu, quick)));
    else {
      const before = rows;
      const sweep = await candidateSweep({
        seed,
        filter,
        deadline,
        onRow: (r, p) => {
          plans = p;
          save(r);
        },
      });
      rows = [...before, ...sweep.rows];
      plans = sweep.plans;
    }
    save();
  }
  for (const r of rows)
    console.log(
      `${failed(r) ? 'FAIL' : unchecked(r) ? 'not checked' : 'pass'} ${r.family}: ${r.case}${r.candidate ? ` [${r.candidate}]` : ''} (${errText(r.maxError)})`,
    );
  console.log(
    `parity: ${rows.filter((r) => r.pass).length} passed, ${rows.filter(failed).length} failed, ${rows.filter(unchecked).length} not checked`,
  );
  gpu.destroy();
  process.exitCode = rows.some(failed) ? 1 : 0;
}

/** tuning --out DIR [--quick] [--budget-ms B] [--workloads W1,W2,...]: the 'thorough' tuning report. */
export async function tuningMode(args: Args, specs: TuningSpec[]) {
  const out = String(args.out ?? 'bench/results');
  const adapter = await requireAdapter();
  const picked = typeof args.workloads === 'string' ? (args.workloads.split(',') as Workload[]) : null;
  const chosen = specs.filter((s) => !picked || picked.includes(s.workload));
  const budgetMs = args['budget-ms'] ? Number(args['budget-ms']) : undefined;
  const stem = join(out, `tuning-${stamp()}`);
  const save = (done: TuningWorkload[]) => {
    writeResult(
      `${stem}.json`,
      JSON.stringify({ date: stamp(), adapter, budgetMs, workloads: done }, null, 2),
    );
    writeResult(`${stem}.md`, tuningMarkdown(adapterName(adapter), done));
  };
  const done = await tuningReport(chosen, {
    ...(budgetMs !== undefined ? { budgetMs } : {}),
    onProgress: save,
    onWorkload: (d) => {
      save(d);
      const w = d.at(-1)!;
      const picks = w.info?.choices.map((c) => `${c.shape}: ${c.kernel} ${c.speedup.toFixed(2)}x`) ?? [
        w.error,
      ];
      console.log(`tuning ${w.workload}: ${(w.info?.spentMs ?? 0).toFixed(0)} ms; ${picks.join('; ')}`);
    },
  });
  save(done);
}
