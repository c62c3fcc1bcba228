// Statistics and the markdown report for bench/run.mjs. Speed ratios are "ours / theirs" in speed
// (their median time / our median time): above 1 means webgpu-trainer is faster. GPU rows are
// compared with our WebGPU backend on the same adapter set-up, CPU rows with our CPU backend.

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** Per-workload figures derived from one repetition's milliseconds. */
export const METRICS = {
  W1: (spec) => ({ name: 'GFLOP/s', of: (ms) => (2 * spec.size ** 3 * (spec.chain ?? 1)) / (ms * 1e6) }),
  W2: (spec) => ({ name: 'ms/epoch', of: (ms) => ms / spec.epochs }),
  W3: (spec) => ({ name: 'ms/step', of: (ms) => ms / (spec.epochs * Math.ceil(spec.size / spec.batchSize)) }),
  W4: (spec) => ({ name: 'ms/epoch', of: (ms) => ms / spec.epochs }),
};

export const TITLES = {
  W1: (s) =>
    (s.chain ?? 1) > 1
      ? `W1 matmul f32 n=${s.size}, ${s.chain} chained products, one readback`
      : `W1 matmul f32 n=${s.size}, with readback`,
  W2: (s) =>
    `W2 MLP 784-256-128-10, Adam 1e-3, batch ${s.batchSize}, ${s.size} samples, ${s.epochs} epoch/rep`,
  W3: (s) => `W3 tabular 4-16-3, ${s.size} rows, batch ${s.batchSize}, ${s.epochs} epochs/rep`,
  W4: (s) => `W4 CNN Conv2D(8,3x3)-BN-ReLU-MaxPool-Dense, 28x28x1, batch ${s.batchSize}, ${s.size} samples`,
};

/** Summary of a finished workload's raw page result. */
export function summarise(spec, result) {
  const metric = METRICS[spec.workload](spec);
  const t = result.times;
  const values = t.map(metric.of);
  const summary = {
    reps: t.length,
    ms: { median: median(t), min: Math.min(...t), max: Math.max(...t) },
    metric: { name: metric.name, median: median(values), min: Math.min(...values), max: Math.max(...values) },
    warmupMs: result.warmupMs,
  };
  if (spec.workload !== 'W1') {
    summary.samplesPerSec = (spec.size * spec.epochs) / (summary.ms.median / 1000);
    // The first repetition's: every library has then trained the same number of steps (warm-up + one
    // repetition), where the last would depend on how many repetitions each one got.
    summary.firstRepLoss = result.losses[0];
    summary.lastLoss = result.losses.at(-1);
    summary.chanceLoss = Math.log(result.classes);
  }
  if (spec.workload === 'W3') summary.totalMs = summary.ms.median;
  // Ours: the host copy of the last-good state (issue 15), per epoch and as a share of the epoch.
  if (result.lastGoodMs?.length) {
    const perEpoch = result.lastGoodMs.map((ms) => ms / spec.epochs);
    summary.lastGood = { msPerEpoch: median(perEpoch), share: median(result.lastGoodMs) / summary.ms.median };
  }
  return summary;
}

const fmt = (x, digits = 2) => {
  if (x === undefined || Number.isNaN(x)) return '—';
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US').replace(/,/g, ' ');
  return x.toFixed(Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : digits);
};

const label = (r) => `${r.lib === 'ours' ? '**ours**' : r.lib === 'jax' ? 'jax-js' : 'tfjs'} ${r.backend}`;

/** ours/theirs speed, or '—' where either side is missing. */
function ratio(row, rows) {
  if (row.status !== 'ok') return '—';
  const oursBackend = row.backend === 'webgpu' || row.backend === 'webgl' ? 'webgpu' : 'cpu';
  const mine = rows.find(
    (r) => r.lib === 'ours' && r.backend === oursBackend && r.status === 'ok' && r.config === row.config,
  );
  if (!mine || mine === row) return '—';
  return `${(row.summary.ms.median / mine.summary.ms.median).toFixed(2)}×`;
}

function tableFor(key, rows) {
  const first = rows[0];
  const extra = first.spec.workload === 'W1' ? [] : ['samples/s', 'loss: rep 1 → last rep'];
  const head = [
    'set-up',
    'library / backend',
    `median ${rows.find((r) => r.summary)?.summary.metric.name ?? ''}`,
    'min–max',
    'median ms/rep',
    ...extra,
    'reps',
    'ours/this speed',
    'load 1m',
    '60 dispatches ms before / after',
  ];
  const lines = [`### ${key}`, '', `| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const r of rows) {
    const ms = (x) => (typeof x === 'number' ? x.toFixed(2) : '—');
    const load = `${r.loadavg ? r.loadavg[0].toFixed(2) : '—'} | ${ms(r.dispatchMs)} / ${ms(r.dispatchMsAfter)}`;
    if (r.status !== 'ok') {
      const cells = head.length - 5;
      lines.push(
        `| ${r.config} | ${label(r)} | ${r.status}: ${r.error.replace(/\|/g, '/').slice(0, 160)} |` +
          `${' |'.repeat(cells)} ${load} |`,
      );
      continue;
    }
    const s = r.summary;
    const more =
      first.spec.workload === 'W1'
        ? []
        : [
            fmt(s.samplesPerSec),
            `${s.firstRepLoss.toFixed(3)} → ${s.lastLoss.toFixed(3)} (chance ${s.chanceLoss.toFixed(2)})`,
          ];
    lines.push(
      `| ${r.config} | ${label(r)}${r.fallbackReason ? ` (fell back: ${r.fallbackReason})` : ''}` +
        `${r.choice ? ` (picked ${r.choice.replace(/\|/g, '/')})` : ''} | ` +
        `${fmt(s.metric.median)} | ${fmt(s.metric.min)}–${fmt(s.metric.max)} | ${fmt(s.ms.median)} | ` +
        `${more.map((m) => `${m} | `).join('')}${s.reps} | ${ratio(r, rows)} | ${load} |`,
    );
  }
  return lines.join('\n');
}

/** The cost of our last-good copy (host copies of weights, slots and step count at each epoch end). */
function lastGoodTable(rows) {
  const ours = rows.filter((r) => r.status === 'ok' && r.summary?.lastGood);
  if (ours.length === 0) return [];
  const head = [
    'set-up',
    'workload',
    'backend',
    'copy ms/epoch',
    'epoch ms',
    'share of the epoch',
    'load 1m',
  ];
  const lines = [
    '### Cost of the last-good copy (ours)',
    '',
    "Milliseconds fit spends reading the model's weights, optimizer slots and step count back to the " +
      'host (at its start, at every epoch end), per epoch; the target is under 5% of the epoch.',
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
  ];
  for (const r of ours) {
    const s = r.summary;
    const epochMs = s.ms.median / r.spec.epochs;
    lines.push(
      `| ${r.config} | ${r.spec.workload} | ${r.backend} | ${fmt(s.lastGood.msPerEpoch)} | ${fmt(epochMs)} | ` +
        `${(100 * s.lastGood.share).toFixed(2)}% | ${r.loadavg ? r.loadavg[0].toFixed(2) : '—'} |`,
    );
  }
  return [lines.join('\n'), ''];
}

/**
 * Our webgpu backend's allocation counters over one long fit (run.mjs MEMORY): cumulative since the
 * fit began, so equal figures at epochs 10 and 50 mean nothing was allocated after epoch 10.
 */
function memoryTable(memory) {
  const marks = memory.find((m) => m.status === 'ok')?.marks.map((k) => k.epoch) ?? [];
  const head = [
    'set-up',
    'workload',
    ...marks.map((e) => `buffers created by epoch ${e}`),
    ...marks.map((e) => `bytes allocated by epoch ${e}`),
    'bytes per epoch after the first',
    'tensor buffers released by GC',
    'load 1m',
  ];
  const lines = [
    '### GPU memory over one fit (ours webgpu)',
    '',
    'Counters of our WebGPU backend since the fit began: buffers created and bytes allocated ' +
      '(tensors, plan buffers, uniforms, staging; never decreasing), read when epochs end.',
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
  ];
  for (const m of memory) {
    const what = `${m.spec.workload}, ${m.spec.size} rows, batch ${m.spec.batchSize}, ${m.spec.epochs} epochs`;
    const load = m.loadavg ? m.loadavg[0].toFixed(2) : '—';
    if (m.status !== 'ok') {
      lines.push(
        `| ${m.config} | ${what} | ${m.status}: ${m.error.replace(/\|/g, '/').slice(0, 160)} |${' |'.repeat(head.length - 4)} ${load} |`,
      );
      continue;
    }
    const first = m.marks[0];
    const last = m.marks.at(-1);
    const perEpoch =
      last.epoch > first.epoch
        ? (last.bytesAllocated - first.bytesAllocated) / (last.epoch - first.epoch)
        : 0;
    lines.push(
      `| ${m.config} | ${what} | ${m.marks.map((k) => k.buffersCreated).join(' | ')} | ` +
        `${m.marks.map((k) => fmt(k.bytesAllocated)).join(' | ')} | ${fmt(perEpoch, 0)} | ${last.buffersReleased} | ${load} |`,
    );
  }
  return lines.join('\n');
}

/** Four fit({ epochs: 1 }) calls against one fit({ epochs: 4 }) (run.mjs FIT_CALLS). */
function fitCallsTable(fitCalls) {
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const head = [
    'set-up',
    'workload',
    'N x fit(1 epoch), ms/epoch',
    '1 x fit(N epochs), ms/epoch',
    'ratio',
    'load 1m',
  ];
  const lines = [
    '### Separate fit calls against one (ours)',
    '',
    'N one-epoch fit calls on one model against one N-epoch fit on another (same data, batch and ' +
      'backend; the compiled step is kept with the model, so the ratio should be near 1). Median over ' +
      'the repetitions, which alternate between the two.',
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
  ];
  for (const f of fitCalls) {
    const what = `${f.spec.workload}, ${f.spec.size} rows, batch ${f.spec.batchSize}, N = ${f.spec.epochs}`;
    const load = f.loadavg ? f.loadavg[0].toFixed(2) : '—';
    const setup = `${f.config} ${f.spec.backend}`;
    if (f.status !== 'ok') {
      lines.push(
        `| ${setup} | ${what} | ${f.status}: ${f.error.replace(/\|/g, '/').slice(0, 160)} | | | ${load} |`,
      );
      continue;
    }
    const [a, b] = [med(f.separate), med(f.single)];
    lines.push(`| ${setup} | ${what} | ${fmt(a, 0)} | ${fmt(b, 0)} | ${(a / b).toFixed(2)} | ${load} |`);
  }
  return lines.join('\n');
}

export function markdown({ date, quick, subset, machine, configs, rows, memory = [], fitCalls = [], notes }) {
  const groups = new Map();
  for (const r of rows) {
    const key = TITLES[r.spec.workload](r.spec);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  return [
    `# Benchmarks ${date}${quick ? ' — SMOKE RUN (BENCH_QUICK=1)' : ''}`,
    '',
    quick
      ? '**Smoke run**: reduced sizes and one repetition, to show every row works. These are not ' +
        'benchmark figures; compare nothing from this file.'
      : subset
        ? 'Subset run (BENCH_WORKLOADS / BENCH_SETUPS): only the rows below were measured.'
        : 'Full run.',
    '',
    `Machine: ${machine.cpus} cores (${machine.cpuModel}), ${machine.memGiB} GiB; ${machine.browser}; ` +
      `load average at start ${machine.loadStart}, at end ${machine.loadEnd}.`,
    '',
    'Adapter set-ups: ' +
      configs.map((c) => `**${c.name}** = ${c.adapter}`).join('; ') +
      '. CPU rows ' +
      '(ours cpu, tfjs wasm, tfjs cpu) do not depend on the adapter and run once.',
    '',
    '"ours/this speed" = this row\'s median time / our median time on the same set-up (GPU rows against ' +
      'our webgpu backend, CPU rows against our cpu backend); above 1 means webgpu-trainer is faster.',
    '',
    ...[...groups].flatMap(([key, rs]) => [tableFor(key, rs), '']),
    ...lastGoodTable(rows),
    ...(memory.length > 0 ? [memoryTable(memory), ''] : []),
    ...(fitCalls.length > 0 ? [fitCallsTable(fitCalls), ''] : []),
    '## Notes',
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}

// `node bench/report.mjs <results.json>` rewrites the .md beside it from the raw times (after a change
// to this file's tables, without measuring again).
// (Checked by name too: bundled into the Node bench, import.meta.url is the bundle's own.)
if (
  process.argv[1]?.endsWith('report.mjs') &&
  import.meta.url === new URL(`file://${process.argv[1]}`).href
) {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const path = process.argv[2];
  const out = JSON.parse(readFileSync(path, 'utf8'));
  for (const r of out.rows) {
    if (r.status === 'ok') {
      const classes = r.classes ?? Math.round(Math.exp(r.summary.chanceLoss ?? 0));
      r.summary = summarise(r.spec, {
        times: r.times,
        losses: r.losses,
        classes,
        lastGoodMs: r.lastGoodMs,
        warmupMs: r.summary.warmupMs,
      });
    }
  }
  writeFileSync(path.replace(/\.json$/, '.md'), markdown(out));
  console.log(`rewrote ${path.replace(/\.json$/, '.md')}`);
}
