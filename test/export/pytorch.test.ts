/**
 * PyTorch export: the generated file parses, and its own reader, weight mapping and forward pass
 * (run by python3 with the real torch where installed, otherwise with the NumPy stand-in in
 * numpy_torch/) give predict's outputs to 1e-5 on every layer case and preset; writing the weights
 * back from Python gives our tensors bit for bit; the __main__ evaluates a CSV.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportPytorch } from '../../src/export/pytorch';
import { Dense, decodeSafetensors, Layer, mul, Sequential, type Shape, type Tensor } from '../../src/index';
import { exportModelWeights } from '../../src/io/model-io';
import { type HostBatch, layerCases, presetModel, randomBatch, trained } from './models';
import { here, numpyMissing, pythonParses, runPython, tempDir, torchMissing, writeFiles } from './python';

if (numpyMissing) console.warn(`test/export/pytorch.test.ts skipped: ${numpyMissing}`);
else if (torchMissing) {
  console.warn(
    `test/export/pytorch.test.ts: torch is not importable (${torchMissing}); the generated module runs on ` +
      'test/export/numpy_torch (NumPy), and the SGD-step comparison is skipped',
  );
}

function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
  what: string,
) {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  }
  expect(worst, `${what}: largest relative difference ${worst}`).toBeLessThan(tolerance);
}

async function expectPythonAgrees(model: Sequential, x: HostBatch) {
  const dir = tempDir();
  writeFiles(dir, {
    'model.py': exportPytorch(model),
    'weights.safetensors': await exportModelWeights(model),
    'x.json': JSON.stringify({ shape: x.shape, data: [...x.data] }),
  });
  pythonParses(join(dir, 'model.py'));
  const { stdout } = runPython([
    join(here, 'pytorch_check.py'),
    join(dir, 'model.py'),
    join(dir, 'weights.safetensors'),
    join(dir, 'x.json'),
    join(dir, 'roundtrip.safetensors'),
  ]);
  const py = JSON.parse(stdout) as { backend: string; predictions: number[]; state_keys: string[] };
  expect(py.backend).toBe(torchMissing ? 'numpy' : 'torch');
  expectClose(py.predictions, await (await model.predict(x)).data(), 1e-5, 'Python forward vs predict');
  // Back in our names and layouts, bit for bit.
  const back = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'roundtrip.safetensors'))));
  const ours = model.getWeightsByName();
  expect([...back.tensors.keys()].sort()).toEqual([...ours.keys()].sort());
  for (const [name, t] of back.tensors) {
    expect(t.shape, name).toEqual(ours.get(name)!.shape);
    expect([...t.data], name).toEqual([...(await ours.get(name)!.data())]);
  }
  return { dir, py };
}

describe.skipIf(numpyMissing !== null)('the PyTorch module file runs our weights as predict does', () => {
  for (const c of layerCases) {
    it(c.name, async () => {
      const model = c.build();
      await trained(model, model.outputShape[model.outputShape.length - 1], 'regression');
      await expectPythonAgrees(model, randomBatch([4, ...model.inputShape!], 31));
    });
  }

  for (const [id, task, outputs] of [
    ['linear', 'classification', 3],
    ['mlp', 'regression', 1],
    ['mlp-bn-dropout', 'classification', 3],
    ['cnn', 'classification', 4],
  ] as const) {
    it(`preset ${id} (${task})`, async () => {
      const model = await trained(presetModel(id, id === 'cnn' ? 16 : 6, task, outputs), outputs, task);
      const { py } = await expectPythonAgrees(model, randomBatch([5, ...model.inputShape!], 32));
      if (id === 'cnn') expect(py.state_keys).toContain('conv2d_1.weight');
      if (id === 'mlp-bn-dropout') {
        expect(py.state_keys).toEqual(
          expect.arrayContaining(['batch_normalization_1.running_mean', 'batch_normalization_1.running_var']),
        );
      }
    });
  }

  it('__main__ evaluates a CSV of encoded features: outputs, loss and accuracy as ours', async () => {
    const model = await trained(presetModel('mlp-bn-dropout', 4, 'classification', 3), 3, 'classification');
    const x = randomBatch([9, 4], 33);
    const labels = [0, 1, 2, 2, 1, 0, 0, 1, 2];
    const csv = [
      'a,b,label,c,d',
      ...labels.map((y, i) => {
        const r = [...x.data.subarray(i * 4, i * 4 + 4)];
        return [r[0], r[1], y, r[2], r[3]].join(',');
      }),
    ].join('\n');
    const dir = tempDir();
    writeFiles(dir, {
      'model.py': exportPytorch(model),
      'w.safetensors': await exportModelWeights(model),
      'd.csv': csv,
    });
    const { stdout, stderr } = runPython(['model.py', 'w.safetensors', 'd.csv', '--target', 'label'], dir);
    const lines = stdout.trim().split(/\r?\n/);
    expect(lines[0]).toBe('output_0,output_1,output_2');
    const outputs = lines.slice(1).flatMap((l) => l.split(',').map(Number));
    expectClose(outputs, await (await model.predict(x)).data(), 1e-5, '__main__ outputs');
    const metrics = JSON.parse(stderr.trim().split('\n').pop()!) as { loss: number; accuracy: number };
    const ours = await model.evaluate(x, labels, { returnDict: true });
    expect(Math.abs(metrics.loss - ours.loss)).toBeLessThan(1e-5 * Math.max(1, ours.loss));
    const predicted = lines.slice(1).map((l) => {
      const v = l.split(',').map(Number);
      return v.indexOf(Math.max(...v));
    });
    // torch computes the accuracy in float32.
    expect(metrics.accuracy).toBeCloseTo(predicted.filter((p, i) => p === labels[i]).length / 9, 6);
  });
});

describe.skipIf(numpyMissing !== null || torchMissing !== null)('PyTorch training (real torch)', () => {
  it('one SGD step moves the weights as our SGD step does', async () => {
    const model = presetModel('mlp', 5, 'classification', 3);
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const x = randomBatch([8, 5], 34);
    const y = [0, 1, 2, 0, 1, 2, 0, 1];
    const dir = tempDir();
    writeFiles(dir, {
      'model.py': exportPytorch(model),
      'w.safetensors': await exportModelWeights(model),
      'batch.json': JSON.stringify({ x: { shape: x.shape, data: [...x.data] }, y: { shape: [8], data: y } }),
    });
    runPython(
      [
        join(here, 'pytorch_sgd_step.py'),
        'model.py',
        'w.safetensors',
        'batch.json',
        '0.01',
        'out.safetensors',
      ],
      dir,
    );
    await model.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false });
    const torchWeights = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'out.safetensors'))));
    const ours = model.getWeightsByName();
    for (const [name, t] of torchWeights.tensors)
      expectClose(t.data, await ours.get(name)!.data(), 1e-4, name);
  });
});

describe('exportPytorch refuses what it cannot write', () => {
  it('an unbuilt or uncompiled model, and a layer class outside the registry, by name', () => {
    const unbuilt = new Sequential([new Dense({ units: 2 })]);
    unbuilt.compile({ loss: 'mse' });
    expect(() => exportPytorch(unbuilt)).toThrow(/sequential\.exportPytorch: the model is not built/);
    const uncompiled = new Sequential([new Dense({ units: 2, inputShape: [3] })]);
    expect(() => exportPytorch(uncompiled)).toThrow(/sequential\.exportPytorch: the model is not compiled/);
    class Twice extends Layer {
      static readonly className = 'Twice';
      computeOutputShape(shape: Shape): Shape {
        return shape;
      }
      protected call(x: Tensor): Tensor {
        return mul(x, 2);
      }
    }
    const custom = new Sequential([new Dense({ units: 2, inputShape: [3] }), new Twice({ name: 'double' })]);
    custom.compile({ loss: 'mse' });
    expect(() => exportPytorch(custom)).toThrow(/layer double \(Twice\) has no PyTorch equivalent/);
  });
});
