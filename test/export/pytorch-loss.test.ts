/**
 * The generated loss_fn computes each compiled loss as ours does (same clipping, renormalisation
 * and batch mean), on the same predictions and targets. Run by python3 with the real torch or the
 * NumPy stand-in (see python.ts).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportPytorch } from '../../src/export/pytorch';
import { Dense, getLoss, type LossSpec, Sequential, sigmoid, softmax, tensor } from '../../src/index';
import { randomBatch } from './models';
import { numpyMissing, runPython, tempDir, writeFiles } from './python';

if (numpyMissing) console.warn(`test/export/pytorch-loss.test.ts skipped: ${numpyMissing}`);

const LOSS = [
  'import importlib.util, json, sys',
  'spec = importlib.util.spec_from_file_location("m", sys.argv[1])',
  'm = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)',
  'b = json.load(open(sys.argv[2]))',
  't = lambda v: m.torch.tensor(v["data"], dtype=m.torch.float32).reshape(v["shape"])',
  'print(m.loss_fn(t(b["pred"]), t(b["true"])).item())',
].join('\n');

type Case = {
  spec: LossSpec;
  pred: 'probabilities' | 'logits' | 'sigmoid' | 'raw';
  target: 'onehot' | 'index' | 'binary' | 'real';
};

const cases: Case[] = [
  { spec: 'categoricalCrossentropy', pred: 'probabilities', target: 'onehot' },
  { spec: { name: 'categoricalCrossentropy', fromLogits: true }, pred: 'logits', target: 'onehot' },
  { spec: 'sparseCategoricalCrossentropy', pred: 'probabilities', target: 'index' },
  { spec: { name: 'sparseCategoricalCrossentropy', fromLogits: true }, pred: 'logits', target: 'index' },
  { spec: 'binaryCrossentropy', pred: 'sigmoid', target: 'binary' },
  { spec: { name: 'binaryCrossentropy', fromLogits: true }, pred: 'logits', target: 'binary' },
  { spec: 'meanSquaredError', pred: 'raw', target: 'real' },
  { spec: 'meanAbsoluteError', pred: 'raw', target: 'real' },
  { spec: { name: 'huber', delta: 0.5 }, pred: 'raw', target: 'real' },
];

describe.skipIf(numpyMissing !== null)('loss_fn in the PyTorch file equals our loss', () => {
  for (const c of cases) {
    it(JSON.stringify(c.spec), async () => {
      const units = c.target === 'binary' ? 1 : 3;
      const model = new Sequential([new Dense({ units, inputShape: [2] })]);
      model.compile({ loss: c.spec });
      const z = tensor(
        randomBatch([6, units], 41).data.map((v) => v * 3),
        [6, units],
      );
      const pred = c.pred === 'probabilities' ? softmax(z, -1) : c.pred === 'sigmoid' ? sigmoid(z) : z;
      const classes = [0, 2, 1, 1, 0, 2];
      const yTrue =
        c.target === 'index'
          ? tensor(classes, [6])
          : c.target === 'onehot'
            ? tensor(
                classes.flatMap((k) => [0, 1, 2].map((j) => (j === k ? 1 : 0))),
                [6, 3],
              )
            : c.target === 'binary'
              ? tensor([1, 0, 0, 1, 1, 0], [6, 1])
              : tensor(randomBatch([6, 3], 42).data, [6, 3]);
      const ours = (await getLoss(c.spec).perSample(yTrue, pred).data()).reduce((a, b) => a + b, 0) / 6;
      const dir = tempDir();
      const host = async (t: typeof pred) => ({ shape: t.shape, data: [...(await t.data())] });
      writeFiles(dir, {
        'model.py': exportPytorch(model),
        'batch.json': JSON.stringify({ pred: await host(pred), true: await host(yTrue) }),
      });
      const theirs = Number(runPython(['-c', LOSS, join(dir, 'model.py'), join(dir, 'batch.json')]).stdout);
      expect(Math.abs(theirs - ours), `${theirs} vs ${ours}`).toBeLessThan(
        1e-5 * Math.max(1, Math.abs(ours)),
      );
    });
  }
});
