/** fit on real small problems, validation, class weights, seeds, callbacks, stopping, and NaN handling. */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import {
  Adam,
  Callback,
  Dense,
  Dropout,
  getLoss,
  History,
  type Logs,
  mean,
  mul,
  Random,
  RMSprop,
  Sequential,
  SGD,
  tensor,
} from '../../src/index';
import { blobs } from './helpers';

describe('fit learns', () => {
  it('XOR to 100% accuracy', async () => {
    const model = new Sequential({
      seed: 1,
      layers: [new Dense({ units: 8, activation: 'tanh', inputShape: [2] }), new Dense({ units: 1 })],
    });
    model.compile({
      optimizer: new Adam({ learningRate: 0.05 }),
      loss: { name: 'binaryCrossentropy', fromLogits: true },
      metrics: ['accuracy'],
    });
    const x = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ];
    const history = await model.fit(x, [0, 1, 1, 0], { epochs: 150, batchSize: 4 });
    expect(history.history.accuracy.at(-1)).toBe(1);
    expect(history.history.loss.at(-1)).toBeLessThan(0.05);
    const logits = await (await model.predict(x)).data();
    expect([...logits].map((z) => (z > 0 ? 1 : 0))).toEqual([0, 1, 1, 0]);
  });

  it('two Gaussian blobs, reporting val_loss and val_accuracy from validationSplit', async () => {
    const { x, y } = blobs(200, 3);
    const model = new Sequential({
      seed: 2,
      layers: [
        new Dense({ units: 8, activation: 'relu', inputShape: [2] }),
        new Dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    model.compile({
      optimizer: new Adam({ learningRate: 0.05 }),
      loss: 'binaryCrossentropy',
      metrics: ['accuracy'],
    });
    const history = await model.fit(x, y, { epochs: 10, batchSize: 32, validationSplit: 0.2 });
    expect(Object.keys(history.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    expect(history.epoch).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(history.history.val_accuracy.at(-1)).toBeGreaterThanOrEqual(0.95);
    expect(history.history.val_loss.at(-1)!).toBeLessThan(history.history.val_loss[0]);
    // The held-out part is the last 20% of the samples, evaluated after the last epoch.
    const held = await model.evaluate(x.slice(160), y.slice(160), { returnDict: true });
    expect(held.loss).toBeCloseTo(history.history.val_loss.at(-1)!, 6);
    expect(held.accuracy).toBe(history.history.val_accuracy.at(-1));
  });

  it('softmax outputs trained with mean squared error (softmax backward under a non-CE loss)', async () => {
    const rng = new Random(4);
    const centres = [
      [2, 0],
      [-1, 1.7],
      [-1, -1.7],
    ];
    const x: number[][] = [];
    const y: number[][] = [];
    for (let i = 0; i < 150; i++) {
      const c = i % 3;
      x.push([centres[c][0] + 0.5 * rng.normal(), centres[c][1] + 0.5 * rng.normal()]);
      y.push([0, 1, 2].map((k) => (k === c ? 1 : 0)));
    }
    const model = new Sequential({
      seed: 3,
      layers: [new Dense({ units: 3, activation: 'softmax', inputShape: [2] })],
    });
    model.compile({
      optimizer: new SGD({ learningRate: 1 }),
      loss: 'meanSquaredError',
      metrics: ['categoricalAccuracy'],
    });
    const history = await model.fit(x, y, { epochs: 15, batchSize: 16 });
    expect(history.history.loss.at(-1)!).toBeLessThan(history.history.loss[0] / 3);
    expect(history.history.categoricalAccuracy.at(-1)).toBeGreaterThanOrEqual(0.95);
  });

  it('Iris (bundled CSV) to at least 95% validation accuracy', async () => {
    const lines = readFileSync(new URL('../../public/samples/iris.csv', import.meta.url), 'utf8')
      .trim()
      .split('\n');
    const species = ['setosa', 'versicolor', 'virginica'];
    const rows = lines.slice(1).map((l) => l.split(','));
    const features = rows.map((r) => r.slice(0, 4).map(Number));
    const means = [0, 1, 2, 3].map((j) => features.reduce((s, f) => s + f[j], 0) / features.length);
    const stds = [0, 1, 2, 3].map((j) =>
      Math.sqrt(features.reduce((s, f) => s + (f[j] - means[j]) ** 2, 0) / features.length),
    );
    const order = new Random(11).permutation(rows.length);
    const x = [...order].map((i) => features[i].map((v, j) => (v - means[j]) / stds[j]));
    const y = [...order].map((i) => species.indexOf(rows[i][4]));
    const model = new Sequential({
      seed: 5,
      layers: [new Dense({ units: 16, activation: 'relu', inputShape: [4] }), new Dense({ units: 3 })],
    });
    model.compile({
      optimizer: new Adam({ learningRate: 0.02 }),
      loss: { name: 'sparseCategoricalCrossentropy', fromLogits: true },
      metrics: ['accuracy'],
    });
    const history = await model.fit(x, y, { epochs: 40, batchSize: 16, validationSplit: 0.2, seed: 5 });
    expect(history.history.val_accuracy.at(-1)).toBeGreaterThanOrEqual(0.95);
  });
});

describe('fit options', () => {
  it('classWeight weights each sample loss by its class', async () => {
    const { x, y } = blobs(8, 5);
    const make = () => {
      const m = new Sequential({
        seed: 6,
        layers: [new Dense({ units: 1, activation: 'sigmoid', inputShape: [2] })],
      });
      m.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'binaryCrossentropy' });
      return m;
    };
    const plain = make();
    // The first (and only) step's loss is computed before its update: from the initial weights.
    const perSample = getLoss('binaryCrossentropy').perSample(
      tensor(y.map((v) => [v])),
      await plain.predict(x),
    );
    const weights = tensor(y.map((c) => (c === 1 ? 3 : 1)));
    const expected = await mean(mul(perSample, weights)).item();
    const unweighted = await mean(perSample).item();
    const options = { epochs: 1, batchSize: 8, shuffle: false };
    const weighted = await make().fit(x, y, { ...options, classWeight: { 1: 3 } });
    expect(weighted.history.loss[0]).toBeCloseTo(expected, 6);
    expect((await plain.fit(x, y, options)).history.loss[0]).toBeCloseTo(unweighted, 6);
    expect(Math.abs(expected - unweighted)).toBeGreaterThan(0.1);
  });

  it('the same seeds give identical runs (shuffling and dropout); another fit seed does not', async () => {
    const { x, y } = blobs(64, 7);
    const run = async (fitSeed: number) => {
      const model = new Sequential({
        seed: 8,
        layers: [
          new Dense({ units: 16, activation: 'relu', inputShape: [2] }),
          new Dropout({ rate: 0.3 }),
          new Dense({ units: 1, activation: 'sigmoid' }),
        ],
      });
      model.compile({
        optimizer: new RMSprop({ learningRate: 0.01 }),
        loss: 'binaryCrossentropy',
        metrics: ['accuracy'],
      });
      const history = await model.fit(x, y, { epochs: 3, batchSize: 16, seed: fitSeed });
      return {
        history: history.history,
        kernel: [...(await model.getWeightsByName().get('dense_1.kernel')!.data())],
      };
    };
    const a = await run(1);
    expect(await run(1)).toEqual(a);
    expect((await run(2)).history.loss).not.toEqual(a.history.loss);
  });

  it('validationData and initialEpoch', async () => {
    const { x, y } = blobs(40, 9);
    const val = blobs(20, 10);
    const model = new Sequential({
      layers: [new Dense({ units: 1, activation: 'sigmoid', inputShape: [2] })],
    });
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    const history = await model.fit(x, y, { epochs: 4, initialEpoch: 2, validationData: [val.x, val.y] });
    expect(history.epoch).toEqual([2, 3]);
    expect(history.history.val_loss).toHaveLength(2);
    await expect(model.fit(x, y, { validationSplit: 0.5, validationData: [val.x, val.y] })).rejects.toThrow(
      /validationSplit or validationData, not both/,
    );
  });
});

class Recorder extends Callback {
  readonly events: string[] = [];
  readonly epochLogs: Logs[] = [];
  constructor(private readonly stopAt?: { epoch?: number; batch?: number }) {
    super();
  }
  override onTrainBegin(): void {
    this.events.push('trainBegin');
  }
  override onTrainEnd(): void {
    this.events.push('trainEnd');
  }
  override onEpochBegin(epoch: number): void {
    this.events.push(`epochBegin ${epoch}`);
  }
  override onEpochEnd(epoch: number, logs: Logs): void {
    this.events.push(`epochEnd ${epoch}`);
    this.epochLogs.push(logs);
    if (this.stopAt?.epoch === epoch) this.model!.stopTraining = true;
  }
  override async onBatchBegin(batch: number): Promise<void> {
    await Promise.resolve();
    this.events.push(`batchBegin ${batch}`);
  }
  override onBatchEnd(batch: number, logs: Logs): void {
    this.events.push(`batchEnd ${batch} ${Object.keys(logs).join(',')}`);
    if (this.stopAt?.batch === batch) this.model!.stopTraining = true;
  }
}

describe('callbacks and stopping', () => {
  const data = blobs(6, 12);
  const model = () => {
    const m = new Sequential({ layers: [new Dense({ units: 1, activation: 'sigmoid', inputShape: [2] })] });
    m.compile({
      optimizer: new SGD({ learningRate: 0.1 }),
      loss: 'binaryCrossentropy',
      metrics: ['accuracy'],
    });
    return m;
  };

  it('calls every hook in order with Keras log names', async () => {
    const recorder = new Recorder();
    await model().fit(data.x, data.y, { epochs: 2, batchSize: 4, callbacks: [recorder] });
    const batch = (b: number) => [`batchBegin ${b}`, `batchEnd ${b} batch,size,loss,accuracy`];
    expect(recorder.events).toEqual([
      'trainBegin',
      'epochBegin 0',
      ...batch(0),
      ...batch(1),
      'epochEnd 0',
      'epochBegin 1',
      ...batch(0),
      ...batch(1),
      'epochEnd 1',
      'trainEnd',
    ]);
    expect(Object.keys(recorder.epochLogs[0])).toEqual(['loss', 'accuracy']);
    expect(recorder.params).toMatchObject({
      epochs: 2,
      steps: 2,
      samples: 6,
      batchSize: 4,
      metrics: ['loss', 'accuracy'],
    });
  });

  it('stopTraining set at an epoch end or a batch end ends training', async () => {
    const atEpoch = await model().fit(data.x, data.y, { epochs: 5, callbacks: [new Recorder({ epoch: 1 })] });
    expect(atEpoch.epoch).toEqual([0, 1]);
    expect(atEpoch.stopped).toBe(true);
    const m = model();
    const atBatch = await m.fit(data.x, data.y, {
      epochs: 5,
      batchSize: 2,
      callbacks: [new Recorder({ batch: 1 })],
    });
    expect(atBatch.epoch).toEqual([0]);
    expect(m.compiled!.optimizer.iterations).toBe(2);
  });

  it('an AbortSignal stops after the current batch without recording the unfinished epoch', async () => {
    const controller = new AbortController();
    class Aborter extends Callback {
      override onBatchEnd(batch: number): void {
        if (batch === 1) controller.abort();
      }
    }
    const m = model();
    const history = await m.fit(data.x, data.y, {
      epochs: 3,
      batchSize: 2,
      signal: controller.signal,
      callbacks: [new Aborter()],
    });
    expect(history.epoch).toEqual([]);
    expect(history.stopped).toBe(true);
    expect(m.compiled!.optimizer.iterations).toBe(2);
  });

  it('yields to the event loop between batches', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      const { x, y } = blobs(400, 13);
      await model().fit(x, y, { epochs: 2, batchSize: 8 });
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  });

  it('a non-finite loss stops training with a clear error, keeping the weights from before that step', async () => {
    const m = new Sequential({ layers: [new Dense({ units: 1, inputShape: [1] })] });
    m.compile({ optimizer: new SGD({ learningRate: 1e10 }), loss: 'meanSquaredError' });
    // Step 1 is finite but sends the kernel to about 1e30; step 2's forward pass overflows float32.
    const x = [[1e10], [-1e10]];
    const history = await m.fit(x, [1, -1], { epochs: 3, batchSize: 2 });
    expect(history.error).toMatch(/the loss became (Infinity|NaN) at epoch 1, batch 0; training stopped/);
    expect(history.stopped).toBe(true);
    expect(m.compiled!.optimizer.iterations).toBe(1);
    for (const t of m.getWeights().values()) expect([...(await t.data())].every(Number.isFinite)).toBe(true);
  });
});

describe('frozen layers, verbose logging and resuming', () => {
  it('a layer with trainable false keeps its weights and counts as non-trainable', async () => {
    const { x, y } = blobs(32, 14);
    const frozen = new Dense({ units: 4, activation: 'tanh', inputShape: [2], trainable: false });
    const model = new Sequential({ layers: [frozen, new Dense({ units: 1, activation: 'sigmoid' })] });
    model.compile({ optimizer: new SGD({ learningRate: 0.5 }), loss: 'binaryCrossentropy' });
    const before = await model.getWeightsByName().get('dense_1.kernel')!.data();
    const head = await model.getWeightsByName().get('dense_2.kernel')!.data();
    await model.fit(x, y, { epochs: 2, batchSize: 8 });
    expect(await model.getWeightsByName().get('dense_1.kernel')!.data()).toEqual(before);
    expect(await model.getWeightsByName().get('dense_2.kernel')!.data()).not.toEqual(head);
    expect(model.summaryTable().rows[0]).toMatchObject({ trainableParams: 0, nonTrainableParams: 12 });
  });

  it('verbose 1 prints one line per epoch with every log', async () => {
    const { x, y } = blobs(16, 15);
    const model = new Sequential({
      layers: [new Dense({ units: 1, activation: 'sigmoid', inputShape: [2] })],
    });
    model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await model.fit(x, y, { epochs: 2, verbose: 1, validationSplit: 0.25 });
      expect(spy.mock.calls.map((c) => String(c[0]).replace(/\d\.\d{4}/g, 'N'))).toEqual([
        'epoch 1/2 - loss: N - accuracy: N - val_loss: N - val_accuracy: N',
        'epoch 2/2 - loss: N - accuracy: N - val_loss: N - val_accuracy: N',
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  it('a resumed fit continues the History it is given, equal to an uninterrupted run', async () => {
    const { x, y } = blobs(32, 16);
    const make = () => {
      const m = new Sequential({
        seed: 9,
        layers: [new Dense({ units: 1, activation: 'sigmoid', inputShape: [2] })],
      });
      m.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy' });
      return m;
    };
    const straight = await make().fit(x, y, { epochs: 4, batchSize: 8 });
    const model = make();
    const first = await model.fit(x, y, { epochs: 2, batchSize: 8 });
    const saved = JSON.parse(JSON.stringify(first.toJSON()));
    const resumed = await model.fit(x, y, {
      epochs: 4,
      initialEpoch: 2,
      batchSize: 8,
      history: History.fromJSON(saved),
    });
    expect(resumed.epoch).toEqual([0, 1, 2, 3]);
    expect(resumed.history.loss).toEqual(straight.history.loss);
  });
});
