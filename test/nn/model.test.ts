/** Sequential's structure: naming, building, summary, config round trip, weights access, input errors. */
import { describe, expect, it } from 'vitest';
import {
  BatchNormalization,
  Dense,
  Dropout,
  InvalidArgumentError,
  ModelStateError,
  Sequential,
  SGD,
  ShapeError,
  type Tensor,
  tensor,
} from '../../src/index';

function mlp(seed = 0): Sequential {
  return new Sequential({
    seed,
    layers: [
      new Dense({ units: 8, activation: 'relu', inputShape: [4] }),
      new BatchNormalization(),
      new Dropout({ rate: 0.2 }),
      new Dense({ units: 3, activation: 'softmax', name: 'head' }),
    ],
  });
}

async function snapshot(model: Sequential): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [name, t] of model.getWeightsByName()) out[name] = [...(await t.data())];
  return out;
}

describe('naming and building', () => {
  it('names layers per model by class and weights <layer>.<weight>, in Keras order', () => {
    const model = mlp();
    expect(model.layers.map((l) => l.name)).toEqual([
      'dense_1',
      'batch_normalization_1',
      'dropout_1',
      'head',
    ]);
    expect([...model.getWeightsByName().keys()]).toEqual([
      'dense_1.kernel',
      'dense_1.bias',
      'batch_normalization_1.gamma',
      'batch_normalization_1.beta',
      'batch_normalization_1.moving_mean',
      'batch_normalization_1.moving_variance',
      'head.kernel',
      'head.bias',
    ]);
    const another = new Sequential([new Dense({ units: 2, inputShape: [1] }), new Dense({ units: 1 })]);
    expect(another.layers.map((l) => l.name)).toEqual(['dense_1', 'dense_2']);
  });

  it('refuses two layers with the same name', () => {
    const model = new Sequential([new Dense({ units: 2, name: 'a', inputShape: [1] })]);
    expect(() => model.add(new Dense({ units: 2, name: 'a' }))).toThrow(
      /a layer named 'a' is already in the model/,
    );
  });

  it('initialises reproducibly from the model seed', async () => {
    expect(await snapshot(mlp(5))).toEqual(await snapshot(mlp(5)));
    expect((await snapshot(mlp(5)))['dense_1.kernel']).not.toEqual(
      (await snapshot(mlp(6)))['dense_1.kernel'],
    );
  });

  it('infers the input shape at the first call when no layer states it', () => {
    const model = new Sequential([new Dense({ units: 2 }), new Dense({ units: 1 })]);
    expect(model.built).toBe(false);
    expect(() => model.summary()).toThrow(ModelStateError);
    const y = model.apply(tensor([[1, 2, 3]]));
    expect(y.shape).toEqual([1, 1]);
    expect(model.inputShape).toEqual([3]);
    expect(model.layers[0].weights[0].shape).toEqual([3, 2]);
  });
});

describe('summary', () => {
  it('lists name, type, output shape and parameter counts with totals', () => {
    const s = mlp().summaryTable();
    expect(s.rows.map((r) => [r.name, r.type, r.outputShape, r.params, r.trainableParams])).toEqual([
      ['dense_1', 'Dense', [null, 8], 40, 40],
      ['batch_normalization_1', 'BatchNormalization', [null, 8], 32, 16],
      ['dropout_1', 'Dropout', [null, 8], 0, 0],
      ['head', 'Dense', [null, 3], 27, 27],
    ]);
    expect([s.totalParams, s.trainableParams, s.nonTrainableParams]).toEqual([99, 83, 16]);
    expect(s.text).toContain('batch_normalization_1 (BatchNormalization)');
    expect(s.text).toContain('Total params: 99');
    const lines: string[] = [];
    mlp().summary((l) => lines.push(l));
    expect(lines[0]).toBe(s.text);
  });
});

describe('config and weights', () => {
  it('round-trips the architecture through JSON to the same function', async () => {
    const model = mlp(3);
    const json = JSON.parse(JSON.stringify(model.getConfig()));
    const copy = Sequential.fromConfig(json);
    expect(copy.getConfig()).toEqual(model.getConfig());
    const x = tensor([[0.1, -2, 3, 0.5]]);
    expect(await copy.apply(x).data()).toEqual(await model.apply(x).data());
    expect(() => Sequential.fromConfig({ ...json, layers: [{ className: 'Lambda', config: {} }] })).toThrow(
      /unknown layer class 'Lambda'/,
    );
  });

  it('getWeights returns copies that later training does not change', async () => {
    const model = mlp();
    const before = model.getWeightsByName();
    const frozen = await before.get('dense_1.kernel')!.data();
    model.compile({ optimizer: new SGD({ learningRate: 0.5 }), loss: 'sparseCategoricalCrossentropy' });
    // Two samples: with one, BatchNormalization's batch output is constant and no gradient reaches dense_1.
    await model.fit(
      [
        [1, 2, 3, 4],
        [-1, 0, 2, 1],
      ],
      [2, 0],
      { epochs: 2 },
    );
    expect(await before.get('dense_1.kernel')!.data()).toEqual(frozen);
    expect(await model.getWeightsByName().get('dense_1.kernel')!.data()).not.toEqual(frozen);
  });

  it('setWeights by name or in order, validating everything before changing anything', async () => {
    const source = mlp(1);
    const target = mlp(2);
    target.setWeightsByName(source.getWeightsByName());
    expect(await snapshot(target)).toEqual(await snapshot(source));
    const ordered = mlp(7).getWeights();
    target.setWeights(ordered);
    expect(await snapshot(target)).toEqual(await snapshot(mlp(7)));

    const before = await snapshot(target);
    const bad = new Map(source.getWeightsByName());
    bad.set('head.bias', tensor([1, 2]));
    expect(() => target.setWeightsByName(bad)).toThrow(/head.bias has shape \[3\], received \[2\]/);
    bad.delete('head.bias');
    bad.set('extra.kernel', tensor([1]));
    expect(() => target.setWeightsByName(bad)).toThrow(/missing: head.bias; not in the model: extra.kernel/);
    expect(() => target.setWeights(ordered.slice(1))).toThrow(
      /received 7 tensors, expected 8 \(dense_1.kernel, /,
    );
    expect(await snapshot(target)).toEqual(before);
  });
});

describe('errors on bad calls leave the weights unchanged', () => {
  const x = [
    [1, 2, 3, 4],
    [0, 1, 0, 1],
  ];

  async function expectUnchanged(
    model: Sequential,
    call: () => Promise<unknown>,
    error: RegExp,
    type: new (...args: never[]) => Error,
  ) {
    const before = await snapshot(model);
    const failure = await call().then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(type);
    expect(String(failure)).toMatch(error);
    expect(await snapshot(model)).toEqual(before);
  }

  it('fit and evaluate before compile', async () => {
    const model = mlp();
    await expectUnchanged(model, () => model.fit(x, [0, 1]), /not compiled; call compile/, ModelStateError);
    await expectUnchanged(
      model,
      () => model.evaluate(x, [0, 1]),
      /evaluate: the model is not compiled/,
      ModelStateError,
    );
  });

  it('wrong feature count, labels out of range, NaN in x, mismatched sample counts', async () => {
    const model = mlp();
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await expectUnchanged(
      model,
      () => model.fit([[1, 2, 3]], [0]),
      /fit\(x\): expected shape \[batch,4\] \(rank 2\), received \[1,3\]/,
      ShapeError,
    );
    await expectUnchanged(
      model,
      () => model.fit(x, [0, 3]),
      /fit\(y\): label 3 at row 1 is not a class index in \[0, 2\]/,
      InvalidArgumentError,
    );
    await expectUnchanged(
      model,
      () => model.fit([[1, Number.NaN, 3, 4]], [0]),
      /fit\(x\): value NaN at row 0/,
      InvalidArgumentError,
    );
    await expectUnchanged(model, () => model.fit(x, [0]), /fit\(y\): 1 labels for 2 samples/, ShapeError);
    await expectUnchanged(
      model,
      () => model.predict([[Number.POSITIVE_INFINITY, 0, 0, 0]]),
      /predict\(x\): value Infinity/,
      InvalidArgumentError,
    );
    await expectUnchanged(
      model,
      () => model.fit(x, [0, 1], { batchSize: 0 }),
      /fit\(batchSize\) must be a positive integer/,
      InvalidArgumentError,
    );
  });

  it('one-hot labels of the wrong width and binary labels outside [0, 1]', async () => {
    const model = mlp();
    model.compile({ loss: 'categoricalCrossentropy' });
    await expectUnchanged(
      model,
      () =>
        model.fit(x, [
          [1, 0],
          [0, 1],
        ]),
      /expected labels of shape \[2,3\], received \[2,2\]/,
      ShapeError,
    );
    const binary = new Sequential([new Dense({ units: 1, activation: 'sigmoid', inputShape: [4] })]);
    binary.compile({ loss: 'binaryCrossentropy' });
    await expectUnchanged(
      binary,
      () => binary.fit(x, [0, 2]),
      /binary label 2 at element 1 is outside \[0, 1\]/,
      InvalidArgumentError,
    );
  });

  it('compile rejects unknown names', () => {
    const model = mlp();
    expect(() => model.compile({ loss: 'mse', metrics: ['f2'] })).toThrow(/unknown metric 'f2'/);
    expect(() => model.compile({ loss: 'mse', optimizer: 'adagrad' as never })).toThrow(
      /unknown optimizer 'adagrad'/,
    );
  });
});

describe('predict', () => {
  it('gives the same values in batches as in one shot, in inference mode', async () => {
    const model = mlp(4);
    const rows = Array.from({ length: 10 }, (_, i) => [i, -i, i / 2, 1]);
    const batched: Tensor = await model.predict(rows, { batchSize: 3 });
    const whole = await model.predict(rows, { batchSize: 100 });
    expect(batched.shape).toEqual([10, 3]);
    expect(await batched.data()).toEqual(await whole.data());
    expect(await model.predict(rows.slice(4, 5))).toBeDefined();
    expect([...(await model.predict(rows.slice(4, 5))).dataSync()]).toEqual([
      ...(await batched.data()).slice(12, 15),
    ]);
  });
});
