/**
 * Not a test: the W2 step (MLP 784-256-128-10, batch 128) on the planned path with the fused
 * optimizer updates and with `fused: false`, in six alternating rounds (medians printed), for Adam and SGD with momentum:
 * wall and CPU ms per step (each step's loss awaited) and dispatches per step from the plan's counters. Run with
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json XDG_RUNTIME_DIR=/tmp \
 *     npx vitest run --config test/webgpu/measure/vitest.config.ts fused-optimizer
 */
import { afterAll, beforeAll, it } from 'vitest';
import { WebGPUBackend } from '../../../src/backend/webgpu/webgpu-backend';
import { useBackend } from '../../../src/graph/engine';
import { Random } from '../../../src/graph/random';
import { Adam, Dense, type Optimizer, Sequential, SGD } from '../../../src/index';
import { PlannedTrainer } from '../../../src/nn/model/planned-step';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await WebGPUBackend.create();
});
afterAll(() => gpu?.destroy());

const rng = new Random(3);
const batch = {
  x: Float32Array.from({ length: 128 * 784 }, () => rng.uniform()),
  y: Float32Array.from({ length: 1280 }, (_, i) => (i % 10 === 3 ? 1 : 0)),
  w: null,
  rows: 128,
};

function trainer(optimizer: Optimizer): PlannedTrainer {
  useBackend(gpu);
  const model = new Sequential({
    seed: 1,
    layers: [
      new Dense({ units: 256, activation: 'relu', inputShape: [784] }),
      new Dense({ units: 128, activation: 'relu' }),
      new Dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const t = new PlannedTrainer(gpu, model, model.compiled!, 0, false, [784], [10]);
  t.load();
  return t;
}

/** Wall ms per step, and CPU ms per step (SwiftShader runs in this process: less swayed by load). */
async function msPerStep(t: PlannedTrainer, steps: number): Promise<[number, number]> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < steps; i++) await t.issue(batch);
  const used = process.cpuUsage(cpu);
  return [(performance.now() - start) / steps, (used.user + used.system) / 1000 / steps];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const optimizers: [string, (fused: boolean) => Optimizer][] = [
  ['Adam', (fused) => new Adam({ fused })],
  ['SGD momentum 0.9', (fused) => new SGD({ momentum: 0.9, fused })],
];

it('W2 planned step: fused against unfused optimizer updates', async () => {
  for (const [name, make] of optimizers) {
    const fused = trainer(make(true));
    const unfused = trainer(make(false));
    await fused.issue(batch);
    await unfused.issue(batch);
    const times = { unfused: [] as number[], fused: [] as number[] };
    const cpu = { unfused: [] as number[], fused: [] as number[] };
    for (let round = 0; round < 6; round++) {
      for (const [key, t] of [
        ['unfused', unfused],
        ['fused', fused],
      ] as const) {
        const [wall, used] = await msPerStep(t, 4);
        times[key].push(wall);
        cpu[key].push(used);
      }
    }
    // Medians of the rounds: the 2-core machine is shared, and single rounds swing by 2x.
    console.log(
      `W2 ${name}: unfused ${median(times.unfused).toFixed(0)} ms/step, ${median(cpu.unfused).toFixed(0)} CPU ms/step (${unfused.counters.dispatchesPerStep} dispatches); fused ${median(times.fused).toFixed(0)} ms/step, ${median(cpu.fused).toFixed(0)} CPU ms/step (${fused.counters.dispatchesPerStep} dispatches); wall rounds ${JSON.stringify(times, (_k, v) => (typeof v === 'number' ? Math.round(v) : v))}`,
    );
    fused.destroy();
    unfused.destroy();
  }
});
