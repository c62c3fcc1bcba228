/**
 * A trained model's file, read and run by an independent NumPy implementation
 * (test/io/model_reference.py) from the file alone: the tensor names, shapes, layouts (Dense
 * [in, out], Conv2D HWIO, NHWC images) and the config in the metadata are what the docs say, so a
 * Python user who follows docs/weights-format.md gets the same predictions.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Sequential } from '../../src/index';
import { exportModelWeights } from '../../src/io/model-io';
import { classes, cnn, compiledMlp, type HostBatch, randomBatch } from './models';

const here = dirname(fileURLToPath(import.meta.url));
const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
const missing =
  probe.error !== undefined
    ? `python3 is not available (${probe.error.message})`
    : probe.status !== 0
      ? `numpy is not importable (${probe.stderr.trim().split('\n').pop()})`
      : null;
if (missing) console.warn(`test/io/python-model.test.ts skipped: ${missing}`);

async function pythonPredictions(model: Sequential, x: HostBatch) {
  const dir = mkdtempSync(join(tmpdir(), 'model-'));
  writeFileSync(join(dir, 'model.safetensors'), await exportModelWeights(model));
  writeFileSync(join(dir, 'x.json'), JSON.stringify({ shape: x.shape, data: [...x.data] }));
  const out = execFileSync(
    'python3',
    [join(here, 'model_reference.py'), join(dir, 'model.safetensors'), join(dir, 'x.json')],
    { encoding: 'utf8' },
  );
  return JSON.parse(out) as { names: string[]; shapes: Record<string, number[]>; predictions: number[] };
}

async function expectSamePredictions(model: Sequential, x: HostBatch): Promise<void> {
  const py = await pythonPredictions(model, x);
  expect(py.names).toEqual(model.variables.map((v) => v.name).sort());
  for (const v of model.variables) expect(py.shapes[v.name]).toEqual(v.shape);
  const ours = await (await model.predict(x)).data();
  expect(py.predictions.length).toBe(ours.length);
  for (let i = 0; i < ours.length; i++) {
    expect(
      Math.abs(py.predictions[i] - ours[i]),
      `prediction ${i}: ${py.predictions[i]} vs ${ours[i]}`,
    ).toBeLessThan(1e-5 * Math.max(1, Math.abs(ours[i])));
  }
}

describe.skipIf(missing !== null)('a trained model runs the same in NumPy from its file', () => {
  it('MLP: Dense, BatchNormalization (moved statistics), Dropout, Activation, Softmax', async () => {
    const model = compiledMlp(3);
    const { x, y } = classes(30, 6);
    await model.fit(x, y, { epochs: 3, batchSize: 10 });
    await expectSamePredictions(model, randomBatch([6, 4], 31));
  });

  it('CNN: Conv2D (same and valid), BatchNormalization on channels, both poolings, Reshape, Flatten', async () => {
    const model = cnn(8);
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    await model.fit(randomBatch([8, 6, 6, 2], 7), [1, 0, 0, 1, 0, 1, 1, 0], { epochs: 2, batchSize: 4 });
    await expectSamePredictions(model, randomBatch([3, 6, 6, 2], 32));
  });
});
