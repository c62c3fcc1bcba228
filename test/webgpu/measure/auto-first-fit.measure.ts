/**
 * What setBackend('auto') costs a first visit, not a test: prints figures. Run with
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json XDG_RUNTIME_DIR=/tmp \
 *     npx vitest run --config test/webgpu/measure/vitest.config.ts auto-first-fit
 * For W2-, W3- and W4-like models (the benchmark's, smaller): the time from the fit call to the
 * end of its first epoch with no tuning choice stored (test/setup.ts gives this file an empty
 * cache), and again with the choices the first fit stored; what auto picked and whether it tuned.
 * TUNING=off|quick|thorough sets auto's tuning (default quick).
 */
import { readFileSync } from 'node:fs';
import { it } from 'vitest';
import { getBackendInfo, setBackend } from '../../../src/backend/index';
import { Random } from '../../../src/graph/random';
import { BatchNormalization, Conv2D, Dense, Flatten, MaxPooling2D, Sequential } from '../../../src/index';
import { Adam } from '../../../src/nn/optimizers/adam';

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');

const MODELS = {
  W2: {
    input: [784],
    rows: 1024,
    batch: 128,
    layers: () => [
      new Dense({ units: 256, activation: 'relu', inputShape: [784] }),
      new Dense({ units: 10, activation: 'softmax' }),
    ],
  },
  W3: {
    input: [4],
    rows: 150,
    batch: 16,
    layers: () => [
      new Dense({ units: 16, activation: 'relu', inputShape: [4] }),
      new Dense({ units: 3, activation: 'softmax' }),
    ],
  },
  W4: {
    input: [28, 28, 1],
    rows: 256,
    batch: 64,
    layers: () => [
      new Conv2D({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      new BatchNormalization({}),
      new MaxPooling2D({ poolSize: 2 }),
      new Flatten(),
      new Dense({ units: 10, activation: 'softmax' }),
    ],
  },
} as const;

it('first fit on auto, per model', { timeout: 600_000 }, async () => {
  const random = new Random(1);
  for (const [name, m] of Object.entries(MODELS)) {
    const width = (m.input as readonly number[]).reduce((a, b) => a * b, 1);
    const classes = name === 'W3' ? 3 : 10;
    const x = {
      data: Float32Array.from({ length: m.rows * width }, () => 2 * random.uniform() - 1),
      shape: [m.rows, ...m.input],
    };
    const y = new Float32Array(m.rows * classes);
    for (let r = 0; r < m.rows; r++) y[r * classes + (r % classes)] = 1;
    for (const visit of ['first', 'again']) {
      await setBackend('cpu');
      await setBackend('auto', { tuning: (process.env.TUNING ?? 'quick') as 'off' });
      const model = new Sequential({ layers: [...m.layers()], seed: 1 });
      model.compile({ optimizer: new Adam({}), loss: 'categoricalCrossentropy' });
      const t = performance.now();
      // A new batch size per visit would time again; the same one reads auto's kept choice, so the
      // second visit is a fresh model of another batch size on the tuning choices stored.
      await model.fit(
        x,
        { data: y, shape: [m.rows, classes] },
        { batchSize: visit === 'first' ? m.batch : m.batch / 2, epochs: 1 },
      );
      const ms = performance.now() - t;
      const choice = getBackendInfo().choice!;
      const gpu = choice.timings.find((g) => g.name === 'webgpu');
      console.log(
        `${name} ${visit}: fit to the end of epoch 1 ${ms.toFixed(0)} ms; picked ${choice.picked}; ` +
          `tuned first ${gpu?.tunedFirst ?? '(field absent)'}; cpu ${choice.timings[0].msPerStep.toFixed(2)} webgpu ${gpu?.msPerStep.toFixed(2)} ms/step; load ${loadavg()}`,
      );
    }
  }
});
