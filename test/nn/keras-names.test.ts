/**
 * The public model API where Keras and TensorFlow.js agree, so code ported from either runs:
 * getWeights / setWeights as arrays in Keras order (by-name forms beside them), countParams as a
 * number, getLayer, trainable, weights / trainableWeights / nonTrainableWeights, evaluate's scalars in
 * metricsNames order, summary printing.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  BatchNormalization,
  Dense,
  InvalidArgumentError,
  Random,
  Sequential,
  SGD,
  tensor,
} from '../../src/index';
import { blobs } from './helpers';

function mlp(seed = 0): Sequential {
  return new Sequential({
    seed,
    layers: [
      new Dense({ units: 3, activation: 'relu', inputShape: [2] }),
      new BatchNormalization(),
      new Dense({ units: 1, activation: 'sigmoid', name: 'head' }),
    ],
  });
}

const KERAS_ORDER = [
  'dense_1.kernel',
  'dense_1.bias',
  'batch_normalization_1.gamma',
  'batch_normalization_1.beta',
  'batch_normalization_1.moving_mean',
  'batch_normalization_1.moving_variance',
  'head.kernel',
  'head.bias',
];

const values = (ts: { data(): Promise<Float32Array> }[]) =>
  Promise.all(ts.map(async (t) => Array.from(await t.data())));

describe('getWeights and setWeights', () => {
  it('getWeights is an array of copies in Keras order; getWeightsByName the same by name', async () => {
    const model = mlp(3);
    const weights = model.getWeights();
    expect(Array.isArray(weights)).toBe(true);
    expect(weights.map((t) => t.shape)).toEqual([[2, 3], [3], [3], [3], [3], [3], [3, 1], [1]]);
    expect(await values(weights)).toEqual(await values(model.variables.map((v) => v.value)));
    expect(weights[0]).not.toBe(model.variables[0].value);
    const byName = model.getWeightsByName();
    expect([...byName.keys()]).toEqual(KERAS_ORDER);
    expect(await values([...byName.values()])).toEqual(await values(weights));
  });

  it('setWeights(getWeights()) moves a model into another, as ported Keras code does', async () => {
    const target = mlp(2);
    target.setWeights(mlp(1).getWeights());
    expect(await values(target.getWeights())).toEqual(await values(mlp(1).getWeights()));
    target.setWeightsByName(Object.fromEntries(mlp(4).getWeightsByName()));
    expect(await values(target.getWeights())).toEqual(await values(mlp(4).getWeights()));
  });

  it('each form refuses the other with a pointer to the right method', () => {
    const model = mlp();
    expect(() => model.setWeights(model.getWeightsByName() as never)).toThrow(InvalidArgumentError);
    expect(() => model.setWeights(model.getWeightsByName() as never)).toThrow(/use setWeightsByName/);
    expect(() => model.setWeightsByName(model.getWeights() as never)).toThrow(/an array; use setWeights/);
  });

  it('a layer has them too: getWeights in its weights order, setWeights checking every shape', async () => {
    const dense = mlp().getLayer('dense_1');
    const [kernel, bias] = dense.getWeights();
    expect([kernel.shape, bias.shape]).toEqual([[2, 3], [3]]);
    dense.setWeights([tensor([1, 2, 3, 4, 5, 6], [2, 3]), tensor([0, 0, 1])]);
    expect(await values(dense.getWeights())).toEqual([
      [1, 2, 3, 4, 5, 6],
      [0, 0, 1],
    ]);
    expect(() => dense.setWeights([tensor([1, 2, 3], [3])])).toThrow(/received 1 tensors, expected 2/);
    expect(() => dense.setWeights([tensor([1, 2], [2, 1]), bias])).toThrow(
      /dense_1.kernel has shape \[2,3\], received \[2,1\]/,
    );
  });
});

describe('structure', () => {
  it('countParams is a number for a layer and for the model', () => {
    const model = mlp();
    expect(model.layers.map((l) => l.countParams())).toEqual([9, 12, 4]);
    expect(model.countParams()).toBe(25);
  });

  it('weights, trainableWeights and nonTrainableWeights', () => {
    const model = mlp();
    expect(model.weights.map((v) => v.name)).toEqual(KERAS_ORDER);
    const bn = model.getLayer('batch_normalization_1');
    expect(bn.trainableWeights.map((v) => v.key)).toEqual(['gamma', 'beta']);
    expect(bn.nonTrainableWeights.map((v) => v.key)).toEqual(['moving_mean', 'moving_variance']);
    expect(model.nonTrainableWeights.map((v) => v.name)).toEqual([
      'batch_normalization_1.moving_mean',
      'batch_normalization_1.moving_variance',
    ]);
    expect(model.trainableWeights).toHaveLength(6);
  });

  it('getLayer by name, by index, or (undefined, index) as in TensorFlow.js', () => {
    const model = mlp();
    expect(model.getLayer('head')).toBe(model.layers[2]);
    expect(model.getLayer(1)).toBe(model.layers[1]);
    expect(model.getLayer(undefined, 0)).toBe(model.layers[0]);
    expect(() => model.getLayer('nope')).toThrow(
      /getLayer\('nope'\): no such layer; the layers are dense_1, batch_normalization_1, head/,
    );
    expect(() => model.getLayer(3)).toThrow(/getLayer\(index 3\): no such layer/);
  });

  it('layer.trainable = false freezes a layer for fit, and shows in its config and counts', async () => {
    const { x, y } = blobs(32, 14);
    const model = new Sequential([
      new Dense({ units: 4, activation: 'tanh', inputShape: [2] }),
      new Dense({ units: 1, activation: 'sigmoid' }),
    ]);
    const first = model.getLayer(0);
    first.trainable = false;
    expect(first.getConfig().trainable).toBe(false);
    expect(model.trainableWeights.map((v) => v.name)).toEqual(['dense_2.kernel', 'dense_2.bias']);
    model.compile({ optimizer: new SGD({ learningRate: 0.5 }), loss: 'binaryCrossentropy' });
    const before = await values(model.getWeights());
    await model.fit(x, y, { epochs: 2, batchSize: 8 });
    const after = await values(model.getWeights());
    expect(after.slice(0, 2)).toEqual(before.slice(0, 2));
    expect(after[2]).not.toEqual(before[2]);
    expect(() => {
      first.trainable = 'no' as never;
    }).toThrow(/dense_1.trainable = no: expected true or false/);
  });

  it('model.optimizer is the compiled optimizer; before compile it says so', () => {
    const model = mlp();
    expect(() => model.optimizer).toThrow(/sequential.optimizer: the model is not compiled/);
    const sgd = new SGD({ learningRate: 0.1 });
    model.compile({ optimizer: sgd, loss: 'binaryCrossentropy' });
    expect(model.optimizer).toBe(sgd);
    model.optimizer.learningRate = 0.05;
    expect(sgd.learningRate).toBe(0.05);
  });

  it('model.trainable = false freezes every layer; true thaws them', () => {
    const model = mlp();
    model.trainable = false;
    expect(model.trainable).toBe(false);
    expect(model.trainableWeights).toEqual([]);
    model.trainable = true;
    expect(model.trainableWeights).toHaveLength(6);
  });

  it('summary() prints the table (to console.log by default); summaryTable() returns it', () => {
    const model = mlp();
    const lines: string[] = [];
    model.summary((line) => lines.push(line));
    expect(lines).toEqual([model.summaryTable().text]);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(model.summary()).toBeUndefined();
      expect(log).toHaveBeenCalledWith(model.summaryTable().text);
    } finally {
      log.mockRestore();
    }
  });
});

describe('evaluate', () => {
  const rng = new Random(2);
  const x = Array.from({ length: 12 }, () => [rng.normal(), rng.normal()]);
  const y = x.map(([a]) => (a > 0 ? 1 : 0));

  it('is the loss alone without metrics, else an array in metricsNames order; returnDict by name', async () => {
    const plain = mlp();
    plain.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    const loss = await plain.evaluate(x, y);
    expect(typeof loss).toBe('number');

    const model = mlp();
    model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['mae', 'accuracy'] });
    expect(model.metricsNames).toEqual(['loss', 'mae', 'accuracy']);
    const scalars = await model.evaluate(x, y);
    const logs = await model.evaluate(x, y, { returnDict: true });
    expect(scalars).toEqual([logs.loss, logs.mae, logs.accuracy]);
    expect(scalars).toEqual([loss, expect.any(Number), expect.any(Number)]);
  });

  it('keeps positions for a metric undefined on the data: NaN there', async () => {
    const model = new Sequential([new Dense({ units: 1, inputShape: [1] })]);
    model.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['r2', 'mae'] });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const [loss, r2, mae] = (await model.evaluate([[1]], [[2]])) as number[];
      expect(Number.isNaN(r2)).toBe(true);
      expect(Number.isFinite(loss) && Number.isFinite(mae)).toBe(true);
    } finally {
      warn.mockRestore();
    }
  });
});
