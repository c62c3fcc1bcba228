/**
 * The compiled step against eager dispatch on the CPU backend, and fit calls against one long fit
 * (the step kept with the model), not a test: prints figures. Run with
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json XDG_RUNTIME_DIR=/tmp \
 *     npx vitest run --config test/webgpu/measure/vitest.config.ts compiled-step
 * Configurations take turns round by round (the machine is shared); /proc/loadavg is printed.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, it } from 'vitest';
import { WebGPUBackend } from '../../../src/backend/webgpu/webgpu-backend';
import { useBackend } from '../../../src/graph/engine';
import { Random } from '../../../src/graph/random';
import { type Backend, CpuBackend, Dense, Sequential } from '../../../src/index';
import type { Executor } from '../../../src/nn/model/executor';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await WebGPUBackend.create();
});
afterAll(() => gpu?.destroy());

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

function synthetic(samples: number, features: number, classes: number, seed: number) {
  const rng = new Random(seed);
  const x = Float32Array.from({ length: samples * features }, () => rng.uniform());
  const y = new Float32Array(samples * classes);
  for (let s = 0; s < samples; s++) y[s * classes + rng.int(classes)] = 1;
  return { x: { data: x, shape: [samples, features] }, y: { data: y, shape: [samples, classes] } };
}

const W2 = {
  layers: () => [
    new Dense({ units: 256, activation: 'relu', inputShape: [784] }),
    new Dense({ units: 128, activation: 'relu' }),
    new Dense({ units: 10, activation: 'softmax' }),
  ],
  data: synthetic(2048, 784, 10, 7),
  batchSize: 128,
};
const W3 = {
  layers: () => [
    new Dense({ units: 16, activation: 'relu', inputShape: [4] }),
    new Dense({ units: 3, activation: 'softmax' }),
  ],
  data: synthetic(150, 4, 3, 8),
  batchSize: 16,
};

function model(w: typeof W2): Sequential {
  const m = new Sequential({ seed: 1, layers: w.layers() });
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return m;
}

/** ms of `calls` fit calls of `epochs` each on a fresh model (set-up included). */
async function timeFits(backend: Backend, executor: Executor, w: typeof W2, calls: number, epochs: number) {
  const previous = useBackend(backend);
  try {
    const m = model(w);
    const start = performance.now();
    let loss = 0;
    for (let c = 0; c < calls; c++) {
      const h = await m.fit(w.data.x, w.data.y, { batchSize: w.batchSize, epochs, seed: 2, executor });
      loss = h.history.loss.at(-1)!;
    }
    return { ms: performance.now() - start, loss };
  } finally {
    useBackend(previous);
  }
}

it('CPU: compiled step against eager dispatch (W2 2048 rows, W3 20 epochs)', async () => {
  const cpu = new CpuBackend();
  for (const [name, w, epochs] of [
    ['W2', W2, 1],
    ['W3', W3, 20],
  ] as const) {
    const times = { eager: [] as number[], compiled: [] as number[] };
    for (let round = 0; round < 3; round++) {
      for (const executor of ['eager', 'auto'] as const) {
        const r = await timeFits(cpu, executor, w, 1, epochs);
        times[executor === 'auto' ? 'compiled' : 'eager'].push(r.ms);
        console.log(
          `${name} round ${round} cpu ${executor}: ${r.ms.toFixed(0)} ms, loss ${r.loss}; loadavg ${loadavg()}`,
        );
      }
    }
    const [e, c] = [median(times.eager), median(times.compiled)];
    console.log(`${name} cpu: eager ${e.toFixed(0)} ms, compiled ${c.toFixed(0)} ms: ${(e / c).toFixed(2)}x`);
  }
});

it('four fit({ epochs: 1 }) calls against one fit({ epochs: 4 }) (W2 2048 rows)', async () => {
  for (const [name, backend] of [
    ['cpu', new CpuBackend()],
    ['webgpu', gpu],
  ] as const) {
    const four = [] as number[];
    const one = [] as number[];
    for (let round = 0; round < 2; round++) {
      four.push((await timeFits(backend, 'auto', W2, 4, 1)).ms);
      one.push((await timeFits(backend, 'auto', W2, 1, 4)).ms);
      console.log(
        `${name} round ${round}: 4 x 1 epoch ${four.at(-1)!.toFixed(0)} ms, 1 x 4 epochs ${one.at(-1)!.toFixed(0)} ms; loadavg ${loadavg()}`,
      );
    }
    console.log(`${name}: 4 calls / 1 call = ${(median(four) / median(one)).toFixed(3)}`);
  }
});
