/**
 * Training speed of fit, not a test: prints figures. Run with
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json XDG_RUNTIME_DIR=/tmp \
 *     npx vitest run --config test/webgpu/measure/vitest.config.ts
 * W2: MLP 784-256-128-10 (relu, softmax), categorical cross-entropy, Adam 1e-3, batch 128: ms per
 *     epoch of 8192 synthetic samples and samples/s, from interleaved rounds of 2048 samples.
 * W3: 4-16-3 on 150 rows, batch 16, 20 epochs: ms per step.
 * Each on WebGPU (eager and planned) and on the CPU backend; /proc/loadavg printed before each.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, it } from 'vitest';
import { WebGPUBackend } from '../../../src/backend/webgpu/webgpu-backend';
import { useBackend } from '../../../src/graph/engine';
import { Random } from '../../../src/graph/random';
import { type Backend, Callback, CpuBackend, Dense, Sequential } from '../../../src/index';
import type { Executor } from '../../../src/nn/model/executor';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await WebGPUBackend.create();
});
afterAll(() => gpu?.destroy());

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');

class EpochTimer extends Callback {
  readonly ms: number[] = [];
  private start = 0;
  override onEpochBegin(): void {
    this.start = performance.now();
  }
  override onEpochEnd(): void {
    this.ms.push(performance.now() - this.start);
  }
}

function synthetic(samples: number, features: number, classes: number, seed: number, oneHot: boolean) {
  const rng = new Random(seed);
  const x = new Float32Array(samples * features);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform();
  const y = new Float32Array(samples * (oneHot ? classes : 1));
  for (let s = 0; s < samples; s++) {
    const c = rng.int(classes);
    if (oneHot) y[s * classes + c] = 1;
    else y[s] = c;
  }
  return {
    x: { data: x, shape: [samples, features] },
    y: { data: y, shape: oneHot ? [samples, classes] : [samples] },
  };
}

interface Workload {
  name: string;
  layers: () => Dense[];
  loss: 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy';
  data: ReturnType<typeof synthetic>;
  batchSize: number;
  epochs: number;
}

async function run(backend: Backend, executor: Executor, w: Workload) {
  const previous = useBackend(backend);
  try {
    const model = new Sequential({ seed: 1, layers: w.layers() });
    model.compile({ optimizer: 'adam', loss: w.loss });
    const timer = new EpochTimer();
    const load = loadavg();
    const history = await model.fit(w.data.x, w.data.y, {
      epochs: w.epochs,
      batchSize: w.batchSize,
      seed: 2,
      executor,
      callbacks: [timer],
    });
    return { ms: timer.ms, loss: history.history.loss, load };
  } finally {
    useBackend(previous);
  }
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

it('W2: MLP 784-256-128-10, batch 128, 8192 samples', async () => {
  // The machine is shared: configurations take turns, one round of 16 steps (2048 samples) each,
  // so load changes hit all of them; ms per epoch is 4x a round's median.
  const data = synthetic(2048, 784, 10, 7, true);
  const configs: [string, Backend, Executor][] = [
    ['webgpu planned', gpu, 'planned'],
    ['webgpu eager', gpu, 'eager'],
    ['cpu', new CpuBackend(), 'eager'],
  ];
  const rounds = new Map<string, number[]>(configs.map(([label]) => [label, []]));
  const losses = new Map<string, number[]>();
  for (let round = 0; round < 4; round++) {
    for (const [label, backend, executor] of configs) {
      const r = await run(backend, executor, {
        name: 'W2',
        layers: () => [
          new Dense({ units: 256, activation: 'relu', inputShape: [784] }),
          new Dense({ units: 128, activation: 'relu' }),
          new Dense({ units: 10, activation: 'softmax' }),
        ],
        loss: 'categoricalCrossentropy',
        data,
        batchSize: 128,
        epochs: 2,
      });
      // The first epoch of each run includes planning and pipeline compilation.
      rounds.get(label)!.push(r.ms[1]);
      losses.set(label, r.loss);
      console.log(
        `W2 round ${round} ${label}: ${r.ms.map((m) => m.toFixed(0)).join(', ')} ms; loadavg before: ${r.load}`,
      );
    }
  }
  for (const [label] of configs) {
    const epoch = median(rounds.get(label)!) * 4;
    console.log(
      `W2 ${label}: ${epoch.toFixed(0)} ms/epoch of 8192 samples (median of rounds, min ${(Math.min(...rounds.get(label)!) * 4).toFixed(0)}), ` +
        `${((8192 / epoch) * 1000).toFixed(0)} samples/s, loss ${losses
          .get(label)!
          .map((l) => l.toFixed(4))
          .join(' -> ')}`,
    );
  }
});

it('W3: 4-16-3 on 150 rows, batch 16, 20 epochs', async () => {
  const w: Workload = {
    name: 'W3',
    layers: () => [
      new Dense({ units: 16, activation: 'relu', inputShape: [4] }),
      new Dense({ units: 3, activation: 'softmax' }),
    ],
    loss: 'sparseCategoricalCrossentropy',
    data: synthetic(150, 4, 3, 8, false),
    batchSize: 16,
    epochs: 20,
  };
  const steps = Math.ceil(150 / 16);
  const configs: [string, Backend, Executor][] = [
    ['webgpu planned', gpu, 'planned'],
    ['webgpu eager', gpu, 'eager'],
    ['cpu', new CpuBackend(), 'eager'],
  ];
  for (const [label, backend, executor] of configs) {
    const r = await run(backend, executor, w);
    const total = r.ms.reduce((a, b) => a + b, 0);
    const steady = median(r.ms.slice(1)) / steps;
    console.log(
      `W3 ${label}: 20 epochs ${total.toFixed(0)} ms, ${(total / (20 * steps)).toFixed(2)} ms/step overall, ` +
        `${steady.toFixed(2)} ms/step after the first epoch (median), loss ${r.loss[0].toFixed(4)} -> ${r.loss[19].toFixed(4)}; loadavg before: ${r.load}`,
    );
  }
});
