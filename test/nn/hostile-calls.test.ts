/**
 * Calls a hostile (or hurried) user makes on the model API: two fits at once, a predict while
 * training, callbacks that are not callbacks, options of the wrong type, a model far too large
 * for memory. Each is refused before it does harm, with a typed error naming what is wrong.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  Callback,
  Dense,
  estimateMemory,
  InvalidArgumentError,
  type Logs,
  ModelBusyError,
  OutOfMemoryError,
  Sequential,
  setBackend,
  setMemoryBudget,
  tensor,
} from '../../src/index';

function model(seed = 1): Sequential {
  const m = new Sequential({
    seed,
    layers: [
      new Dense({ units: 8, activation: 'relu', inputShape: [4] }),
      new Dense({ units: 3, activation: 'softmax' }),
    ],
  });
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  return m;
}

function data(n = 32) {
  const x = tensor(
    Array.from({ length: n * 4 }, (_, i) => Math.sin(i)),
    [n, 4],
  );
  const y = tensor(
    Array.from({ length: n }, (_, i) => i % 3),
    [n],
  );
  return { x, y };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: Error) => e,
  );
}

describe('one fit at a time per model', () => {
  it('a second fit, evaluate or predict while fit runs rejects with ModelBusyError naming fit', async () => {
    const m = model();
    const { x, y } = data();
    const first = m.fit(x, y, { epochs: 3, batchSize: 8 });
    const second = await rejection(m.fit(x, y, { epochs: 3, batchSize: 8 }));
    expect(second).toBeInstanceOf(ModelBusyError);
    expect(second.message).toBe(
      'sequential.fit: sequential.fit is still running on this model; await it (or stop it with model.stopTraining = true or its signal) before calling fit',
    );
    expect((second as ModelBusyError).running).toBe('fit');
    expect(await rejection(m.evaluate(x, y))).toBeInstanceOf(ModelBusyError);
    expect((await rejection(m.predict(x))).message).toMatch(
      /^sequential\.predict: sequential\.fit is still running/,
    );
    const history = await first;
    // The refused calls changed nothing: 3 epochs, 4 steps each.
    expect(history.epoch).toEqual([0, 1, 2]);
    expect(m.compiled!.optimizer.iterations).toBe(12);
    // Once it has finished, the model takes calls again.
    await m.fit(x, y, { epochs: 1, batchSize: 8 });
    expect(m.compiled!.optimizer.iterations).toBe(16);
  });

  it('a fit that failed frees the model', async () => {
    const m = model();
    const { x, y } = data();
    await expect(m.fit(x, y, { epochs: 0 })).rejects.toThrow(InvalidArgumentError);
    await m.fit(x, y, { epochs: 1 });
  });

  it('another model trains at the same time, and a callback may evaluate and predict', async () => {
    const a = model(1);
    const b = model(2);
    const { x, y } = data();
    const seen: number[] = [];
    class Probe extends Callback {
      override async onEpochEnd(_epoch: number, _logs: Logs) {
        const p = await this.model!.predict(x);
        seen.push(p.shape[0]);
        await this.model!.evaluate(x, y);
        await expect(this.model!.fit(x, y)).rejects.toThrow(ModelBusyError);
      }
    }
    await Promise.all([a.fit(x, y, { epochs: 2, callbacks: [new Probe()] }), b.fit(x, y, { epochs: 2 })]);
    expect(seen).toEqual([32, 32]);
  });
});

describe('callbacks', () => {
  it('null, {} and a hook that is not a function are refused by position', async () => {
    const m = model();
    const { x, y } = data();
    expect((await rejection(m.fit(x, y, { callbacks: [null as never] }))).message).toBe(
      'fit(callbacks[0]) must be a Callback (extend Callback, or use LambdaCallback), received null',
    );
    expect((await rejection(m.fit(x, y, { callbacks: [new Callback(), {} as never] }))).message).toBe(
      'fit(callbacks[1]) has none of the hooks onTrainBegin, onTrainEnd, onEpochBegin, onEpochEnd, onBatchBegin, onBatchEnd, onRecovered; extend Callback, or use LambdaCallback',
    );
    expect((await rejection(m.fit(x, y, { callbacks: [{ onEpochEnd: 5 } as never] }))).message).toBe(
      'fit(callbacks[0]).onEpochEnd must be a function, received 5',
    );
    expect((await rejection(m.fit(x, y, { callbacks: 'x' as never }))).message).toContain(
      'fit(callbacks) must be an array',
    );
    expect(m.compiled!.optimizer.iterations).toBe(0);
  });

  it('an object of hook functions works, as in TensorFlow.js', async () => {
    const m = model();
    const { x, y } = data();
    const epochs: number[] = [];
    await m.fit(x, y, { epochs: 2, callbacks: [{ onEpochEnd: (e: number) => epochs.push(e) } as never] });
    expect(epochs).toEqual([0, 1]);
  });
});

describe('options of the wrong type', () => {
  it('fit says a number was expected, before reading any data', async () => {
    const m = model();
    const { x, y } = data();
    expect((await rejection(m.fit(x, y, { epochs: '5' as never }))).message).toBe(
      'fit(epochs) must be a positive integer, a number was expected, received the string "5"',
    );
    expect((await rejection(m.fit(x, y, { batchSize: 0 }))).message).toBe(
      'fit(batchSize) must be a positive integer, received 0',
    );
    expect((await rejection(m.fit(x, y, { validationSplit: 1 }))).message).toContain('must be below 1');
    expect((await rejection(m.fit(x, y, { shuffle: 'yes' as never }))).message).toContain(
      'fit(shuffle) must be one of true, false',
    );
    expect((await rejection(m.fit(x, y, { classWeight: { 0: '2' } as never }))).message).toContain(
      'fit(classWeight[0]) must be a finite number >= 0, a number was expected',
    );
    expect((await rejection(m.fit(null as never, y))).message).toBe(
      'fit(x) must be a Tensor, nested arrays of numbers or { data, shape }, received null',
    );
    expect((await rejection(m.predict(x, { batchSize: -1 }))).message).toBe(
      'predict(batchSize) must be a positive integer, received -1',
    );
  });

  it("setBackend('tpu') is an InvalidArgumentError, not a TypeError", async () => {
    const e = await rejection(setBackend('tpu' as never));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toBe("setBackend: unknown backend 'tpu', expected 'auto', 'cpu' or 'webgpu'");
  });
});

describe('OutOfMemoryError before the fact', () => {
  afterEach(() => setMemoryBudget({ cpu: 2 * 1024 ** 3 }));

  it('a Dense of 10^9 parameters on the CPU is refused at once, naming the layer, shape, bytes and limit', () => {
    const e = (() => {
      try {
        new Sequential([new Dense({ units: 1_000_000, inputShape: [1000], name: 'huge' })]);
      } catch (err) {
        return err as OutOfMemoryError;
      }
      throw new Error('expected OutOfMemoryError');
    })();
    expect(e).toBeInstanceOf(OutOfMemoryError);
    expect(e.message).toMatch(
      /^sequential\.build: the model in all \(parameters 4004000000, .*largest: huge\) needs 3\.7 GiB \(4008004000 bytes\), over the CPU memory budget/,
    );
    expect(e.fault.limit).toBe(2 * 1024 ** 3);
    // Past 2^32 elements in one tensor: the typed-array limit, named with the layer and shape.
    setMemoryBudget({ cpu: null });
    const past = (() => {
      try {
        new Sequential([new Dense({ units: 2 ** 22, inputShape: [2 ** 11], name: 'wide' })]);
      } catch (err) {
        return err as OutOfMemoryError;
      }
      throw new Error('expected OutOfMemoryError');
    })();
    expect(past.message).toBe(
      'sequential.build: wide kernel [2048,4194304] needs 32.0 GiB (34359738368 bytes), over the largest typed array (2^32 float32 elements) of 16.0 GiB (17179869184 bytes); use fewer units or filters, a smaller input, or a smaller batchSize',
    );
    expect(past.fault).toMatchObject({ layer: 'wide', tensor: 'kernel', shape: [2048, 4194304] });
  });

  it('compile checks that gradients and optimizer slots fit beside the weights', () => {
    const m = new Sequential([new Dense({ units: 1000, inputShape: [1000], name: 'big' })]);
    const params = 1000 * 1000 + 1000;
    setMemoryBudget({ cpu: params * 4 * 3 });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' }); // weights + gradients fit
    expect(() => m.compile({ optimizer: 'adam', loss: 'meanSquaredError' })).toThrow(OutOfMemoryError);
    expect(m.compiled!.optimizer.slotKeys).toEqual([]); // the refused compile kept the earlier one
  });

  it('fit checks parameters, gradients, optimizer slots and activations for its batch size', async () => {
    const m = model();
    const { x, y } = data();
    const training = estimateMemory(m.layers, [4], { batchSize: 8, training: true, slotsPerWeight: 2 });
    expect(training.paramBytes).toBe((4 * 8 + 8 + 8 * 3 + 3) * 4);
    expect(training.gradientBytes).toBe(training.paramBytes);
    expect(training.optimizerBytes).toBe(2 * training.paramBytes);
    expect(training.activationBytes).toBe(2 * 8 * (4 + 8 + 3) * 4);
    setMemoryBudget({ cpu: training.totalBytes - 1 });
    const e = await rejection(m.fit(x, y, { batchSize: 8 }));
    expect(e).toBeInstanceOf(OutOfMemoryError);
    expect(e.message).toContain(`sequential.fit: the model in all`);
    expect(m.compiled!.optimizer.iterations).toBe(0);
    setMemoryBudget({ cpu: training.totalBytes });
    await m.fit(x, y, { batchSize: 8 });
  });
});
