/**
 * Dispatches and time per planned training step of the benchmark's three models, not a test:
 * prints figures, to compare kernels and layer implementations (run it on two checkouts). Run with
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json XDG_RUNTIME_DIR=/tmp \
 *     npx vitest run --config test/webgpu/measure/vitest.config.ts layer-steps
 * W2 MLP 784-256-128-10 batch 128; W3 4-16-3 batch 16; W4 Conv2D(8)-BN-ReLU-MaxPool-Dense batch 64
 * on 28x28x1; Adam, categorical cross-entropy on a softmax output, SwiftShader through Dawn.
 * Then GPU time per op kind in a step from timestamp queries (median of 3 profiled steps).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, it } from 'vitest';
import type { ModelKind } from '../../../bench/libs/library';
import { build } from '../../../bench/libs/ours';
import type { KernelTime } from '../../../src/backend/webgpu/plan';
import { WebGPUBackend } from '../../../src/backend/webgpu/webgpu-backend';
import { useBackend } from '../../../src/graph/engine';
import { Random } from '../../../src/graph/random';
import { PlannedTrainer } from '../../../src/nn/model/planned-step';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await WebGPUBackend.create();
});
afterAll(() => gpu?.destroy());

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');

interface Workload {
  name: string;
  /** The benchmark's model for it (bench/libs/ours.ts). */
  kind: ModelKind;
  input: number[];
  classes: number;
  batch: number;
  steps: number;
}

const WORKLOADS: Workload[] = [
  { name: 'W2', kind: 'mlp', input: [784], classes: 10, batch: 128, steps: 6 },
  { name: 'W3', kind: 'tabular', input: [4], classes: 3, batch: 16, steps: 60 },
  { name: 'W4', kind: 'cnn', input: [28, 28, 1], classes: 10, batch: 64, steps: 4 },
];

function batchOf(w: Workload) {
  const rng = new Random(7);
  const features = w.input.reduce((p, d) => p * d, 1);
  const x = new Float32Array(w.batch * features).map(() => rng.uniform());
  const y = new Float32Array(w.batch * w.classes);
  for (let s = 0; s < w.batch; s++) y[s * w.classes + rng.int(w.classes)] = 1;
  return { x, y, w: null, rows: w.batch };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

it('planned steps of W2, W3 and W4', async () => {
  for (const w of WORKLOADS) {
    useBackend(gpu);
    const model = build(w.kind);
    const trainer = new PlannedTrainer(gpu, model, model.compiled!, 0, false, w.input, [w.classes]);
    trainer.load();
    const batch = batchOf(w);
    for (let i = 0; i < 3; i++) await trainer.issue(batch);
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let round = 0; round < 5; round++) {
      const start = performance.now();
      const used = process.cpuUsage();
      for (let i = 0; i < w.steps; i++) await trainer.issue(batch);
      const spent = process.cpuUsage(used);
      wall.push((performance.now() - start) / w.steps);
      cpu.push((spent.user + spent.system) / 1000 / w.steps);
    }
    const profiles: KernelTime[][] = [];
    for (let i = 0; i < 3; i++) profiles.push((await trainer.profile(batch)).kernels);
    const ops = profiles[0].map((k) => k.op);
    const gpuMs = (op: string) => median(profiles.map((p) => p.find((k) => k.op === op)?.ms ?? 0));
    const total = median(profiles.map((p) => p.reduce((t, k) => t + k.ms, 0)));
    const top = ops
      .map((op) => `${op} ${gpuMs(op).toFixed(2)}`)
      .slice(0, 8)
      .join(', ');
    console.log(`${w.name}: GPU ms per step by kernel (timestamps, total ${total.toFixed(1)}): ${top}`);
    console.log(
      `${w.name}: ${trainer.counters.dispatchesPerStep} dispatches/step, median ${median(wall).toFixed(2)} ms/step wall, ` +
        `${median(cpu).toFixed(2)} CPU ms/step (rounds ${wall.map((v) => v.toFixed(1)).join(' ')}; load ${loadavg()})`,
    );
  }
});
