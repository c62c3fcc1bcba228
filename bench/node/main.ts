// `npm run bench:node` and the GPU kit's bench: the benchmark workloads for ours, TensorFlow.js's
// webgpu backend and jax-js in Node through Dawn, on whatever adapter Vulkan offers, plus parity
// (bench/node/parity.ts). Bundled into one file (bench/node/build.mjs) that is its own child:
//
//   bench-node.mjs adapter --out DIR       (what Dawn offers: adapter.json and adapter.md)
//   bench-node.mjs bench  --out DIR [--quick] [--only ours:webgpu,...] [--workloads W1:256,W3] [--deadline-s S] [--name N]
//   bench-node.mjs parity --out DIR [--quick] [--sections kernels,sweep,fits] [--sweep-filter RE] [--deadline-s S]
//   bench-node.mjs tuning --out DIR [--quick] [--workloads W1,W2] [--budget-ms B]  ('thorough' tuning report)
//   bench-node.mjs data   --out DIR [--quick]  (the W1-W4 inputs as raw float32, for the PyTorch script)
//
// Each library/backend pair runs in a child process with a time limit per workload, so one hang or
// crash costs only its own rows; results are written as JSON and Markdown in DIR after every row,
// so a run cut by its stage's time limit (run.sh) keeps the rows it finished.

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { markdown, summarise } from '../report.mjs';
import { dataset, type RunSpec, run, w1Operands } from '../runner';
import { type Args, adapterMode, parityMode, tuningMode } from './checks';
import { adapterName, describeAdapter, installNavigatorGpu } from './dawn';
import { writeResult } from './files';
import type { TuningSpec } from './tuning';

function parseArgs(argv: string[]): { mode: string; args: Args } {
  const [mode = 'bench', ...rest] = argv;
  const args: Args = {};
  for (let i = 0; i < rest.length; i++) {
    const key = rest[i].replace(/^--/, '');
    const next = rest[i + 1];
    if (next !== undefined && !next.startsWith('--')) args[key] = rest[++i];
    else args[key] = true;
  }
  return { mode, args };
}

interface Workload {
  spec: Omit<RunSpec, 'lib' | 'backend' | 'limitMs'>;
  limitS: number;
}

function workloads(quick: boolean): Workload[] {
  const reps = quick ? { minReps: 1, maxReps: 1, budgetMs: 0 } : { minReps: 3, maxReps: 5, budgetMs: 60_000 };
  const w1 = (size: number, chain = 1): Workload => ({
    spec: { workload: 'W1', size, chain, epochs: 0, batchSize: 0, ...reps },
    limitS: quick ? 60 : 120,
  });
  const training = (
    workload: 'W2' | 'W3' | 'W4',
    size: number,
    epochs: number,
    batchSize: number,
  ): Workload => ({
    spec: { workload, size, epochs, batchSize, ...reps },
    limitS: quick ? 120 : 300,
  });
  return quick
    ? [
        w1(128),
        w1(256),
        w1(256, 20),
        training('W2', 512, 1, 128),
        training('W3', 150, 2, 16),
        training('W4', 128, 1, 64),
      ]
    : [
        ...[256, 512, 1024, 2048, 4096].map((n) => w1(n)),
        w1(1024, 20),
        w1(4096, 20),
        training('W2', 8192, 1, 128),
        training('W3', 150, 20, 16),
        training('W4', 2048, 1, 64),
      ];
}

/** The tuning report's workloads: W1's sizes, and the batch sizes W2-W4 train with. */
function tuningSpecs(quick: boolean): TuningSpec[] {
  const all = workloads(quick).map((w) => w.spec);
  const w1 = [...new Set(all.filter((s) => s.workload === 'W1').map((s) => s.size))];
  return [
    { workload: 'W1', sizes: w1, batchSize: 0 },
    ...all
      .filter((s) => s.workload !== 'W1')
      .map((s) => ({ workload: s.workload, sizes: [], batchSize: s.batchSize })),
  ];
}

const PAIRS = [
  ['ours', 'webgpu'],
  ['tfjs', 'webgpu'],
  ['jax', 'webgpu'],
  ['ours', 'cpu'],
];
const NOT_RUN: Record<string, string> = {
  'jax:W4': 'jax-js has no layers or fit; the Conv2D-BatchNorm-MaxPool training step is not hand-written',
};

const readLoad = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);

/** Runs this same file as `mode`, killing it after `limitS`; resolves with its exit code (null on kill). */
function child(mode: string, args: string[], limitS: number): Promise<number | null> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [process.argv[1], mode, ...args], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), limitS * 1000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Child side of `bench`: one pair's specs in order, each result appended to the output file. */
async function runSpecs(specFile: string, outFile: string) {
  installNavigatorGpu();
  const specs = JSON.parse(readFileSync(specFile, 'utf8')) as RunSpec[];
  const results: unknown[] = [];
  for (const spec of specs) {
    const loadavg = readLoad();
    try {
      results.push({ spec, status: 'ok', loadavg, ...(await run(spec)) });
    } catch (e) {
      results.push({ spec, status: 'error', loadavg, error: (e as Error).message.split('\n')[0] });
    }
    writeResult(outFile, JSON.stringify(results));
  }
}

type Row = Record<string, unknown>;

/** One workload of one pair in a child of its own, killed past its limit: the row for it. */
async function benchWorkload(
  lib: string,
  backend: string,
  w: Workload,
  out: string,
  deadline: number,
): Promise<Row> {
  const limitS = Math.min(w.limitS, Math.floor((deadline - Date.now()) / 1000));
  const spec: RunSpec = { ...w.spec, lib, backend, limitMs: limitS * 1000 };
  const base = { spec, config: 'dawn', lib, backend, loadavg: readLoad() };
  if (limitS < 15) return { ...base, status: 'skipped', error: 'past the run deadline (--deadline-s)' };
  const specFile = join(out, `.spec-${lib}-${backend}.json`);
  const resultFile = join(out, `.result-${lib}-${backend}.json`);
  writeFileSync(specFile, JSON.stringify([spec]));
  writeFileSync(resultFile, '[]');
  const code = await child('child', [specFile, resultFile], limitS + 30);
  const [result] = JSON.parse(readFileSync(resultFile, 'utf8')) as Row[];
  rmSync(specFile, { force: true });
  rmSync(resultFile, { force: true });
  if (!result) {
    const error =
      code === null ? `ran past ${limitS + 30} s` : `the child exited with ${code} before a result`;
    return { ...base, status: code === null ? 'timeout' : 'error', error };
  }
  if (result.status !== 'ok') return { ...base, ...result };
  return { ...base, ...result, summary: summarise(spec, result), loadavgAfter: readLoad() };
}

function logRow(row: Row) {
  const spec = row.spec as RunSpec;
  const s = row.summary as ReturnType<typeof summarise> | undefined;
  console.log(
    `${row.lib} ${row.backend} ${spec.workload} ${spec.size}${(spec.chain ?? 1) > 1 ? ` x${spec.chain}` : ''}: ` +
      (s ? `${s.metric.median.toFixed(2)} ${s.metric.name} (${s.reps} reps)` : `${row.status}: ${row.error}`),
  );
}

/**
 * bench --out DIR [--quick] [--only lib:backend,...] [--workloads W1:256,W3] [--deadline-s S | --deadline-min M] [--name N]
 * The results file (node-N.json/.md, N the date by default) is rewritten after every row.
 */
async function bench(args: Args) {
  const out = String(args.out ?? 'bench/results');
  const quick = Boolean(args.quick);
  const only = typeof args.only === 'string' ? args.only.split(',') : null;
  const picked = typeof args.workloads === 'string' ? args.workloads.split(',') : null;
  const chosen = workloads(quick).filter(
    ({ spec: s }) => !picked || picked.includes(s.workload) || picked.includes(`${s.workload}:${s.size}`),
  );
  const seconds = args['deadline-s']
    ? Number(args['deadline-s'])
    : Number(args['deadline-min'] ?? (quick ? 10 : 30)) * 60;
  const deadline = Date.now() + seconds * 1000;
  mkdirSync(out, { recursive: true });
  const adapter = await describeAdapter();
  if (!adapter)
    throw new Error('no WebGPU adapter from Dawn: set VK_ICD_FILENAMES / VK_DRIVER_FILES to a Vulkan driver');
  const loadStart = readLoad();
  const date = new Date().toISOString().replace(/[:]/g, '-').slice(0, 19);
  const stem = join(out, `node-${typeof args.name === 'string' ? args.name : date}${quick ? '-quick' : ''}`);
  const rows: Row[] = [];
  const save = () => {
    const machine = {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memGiB: Math.round(totalmem() / 2 ** 30),
      browser: `Node.js ${process.version}, Dawn (npm webgpu)`,
      loadStart: loadStart.join(' '),
      loadEnd: readLoad().join(' '),
    };
    const notes = [
      'Dawn in Node (the npm `webgpu` package), not a browser: navigator.gpu is set before any library loads.',
      `Adapter: ${adapterName(adapter)}; features: ${adapter.features.join(', ')}.`,
      'W1 times one product (or 20 chained products, each feeding the next) including reading the last back.',
      `Our kernel tuning: ${process.env.BENCH_TUNING ?? 'quick'} (BENCH_TUNING; 'off' is the built-in rules).`,
    ];
    const configs = [{ name: 'dawn', adapter: adapterName(adapter) }];
    const result = { date, quick, subset: Boolean(only || picked), machine, adapter, configs, rows, notes };
    writeResult(`${stem}.json`, JSON.stringify(result, null, 2));
    writeResult(`${stem}.md`, markdown(result));
  };
  for (const [lib, backend] of PAIRS) {
    if (only && !only.includes(`${lib}:${backend}`)) continue;
    for (const w of chosen) {
      const reason = NOT_RUN[`${lib}:${w.spec.workload}`];
      if (!reason) continue;
      if (!rows.some((r) => r.lib === lib && (r.spec as RunSpec).workload === w.spec.workload))
        rows.push({
          spec: { ...w.spec, lib, backend },
          config: 'dawn',
          lib,
          backend,
          status: 'not run',
          error: reason,
        });
    }
    // One child per workload: a hung or crashed workload costs only its row.
    for (const w of chosen.filter((x) => !NOT_RUN[`${lib}:${x.spec.workload}`])) {
      // In the file while it runs: a stage cut by its time limit shows which row it was in.
      const spec = { ...w.spec, lib, backend };
      rows.push({
        spec,
        config: 'dawn',
        lib,
        backend,
        status: 'cut',
        error: "still running when the stage's time limit ended it",
      });
      save();
      rows[rows.length - 1] = await benchWorkload(lib, backend, w, out, deadline);
      logRow(rows.at(-1)!);
      save();
    }
  }
  save();
  console.log(`saved ${stem}.json and .md`);
}

/** The inputs the PyTorch script times, written as raw little-endian float32 with a JSON index. */
function writeData(args: Args) {
  const out = String(args.out ?? 'data');
  const quick = Boolean(args.quick);
  mkdirSync(out, { recursive: true });
  const index: Record<string, number[]> = {};
  const put = (name: string, data: Float32Array, shape: number[]) => {
    writeFileSync(join(out, `${name}.f32`), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    index[name] = shape;
  };
  const n = Math.max(
    ...workloads(quick)
      .filter((w) => w.spec.workload === 'W1')
      .map((w) => w.spec.size),
  );
  for (const chain of [1, 20]) {
    const { a, b } = w1Operands(n, chain);
    put(`W1-${chain}-a`, a.data, a.shape);
    put(`W1-${chain}-b`, b.data, b.shape);
  }
  for (const w of workloads(quick)) {
    if (w.spec.workload === 'W1') continue;
    const d = dataset(w.spec.workload, w.spec.size);
    put(`${w.spec.workload}-x`, d.x.data, d.x.shape);
    put(`${w.spec.workload}-y`, d.y.data, d.y.shape);
  }
  writeFileSync(
    join(out, 'index.json'),
    JSON.stringify({ workloads: workloads(quick).map((w) => w.spec), shapes: index }, null, 2),
  );
  console.log(`wrote the workloads' inputs to ${out}`);
}

const { mode, args } = parseArgs(process.argv.slice(2));
const modes: Record<string, () => Promise<void> | void> = {
  adapter: () => adapterMode(args),
  bench: () => bench(args),
  child: () => runSpecs(process.argv[3], process.argv[4]),
  parity: () => parityMode(args),
  tuning: () => tuningMode(args, tuningSpecs(Boolean(args.quick))),
  data: () => writeData(args),
};
if (!modes[mode]) {
  console.error(`bench-node: unknown mode '${mode}', expected one of ${Object.keys(modes).join(', ')}`);
  process.exit(2);
}
await modes[mode]();
// Dawn keeps the event loop alive; every result is on disk by now.
process.exit(process.exitCode ?? 0);
