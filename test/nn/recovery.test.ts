/**
 * fit recovers from a lost WebGPU device (Dawn on SwiftShader in Node; `device.destroy()` from a
 * callback): it goes on from the last completed epoch on a new device (or the CPU), with the
 * losses of an unfaulted run resumed from that epoch, records the recovery in History and tells
 * callbacks; the model stays readable and exportable throughout, and a run that cannot go on
 * rejects with FitRecoveryError, the model left at its last-good state.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import { getBackendInfo, setMemoryBudget, wireDefaultBackend } from '../../src/backend/index';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { currentBackend, setBackendRecovery, tensor, useBackend } from '../../src/graph/engine';
import {
  Adam,
  BatchNormalization,
  Dense,
  DeviceAllocationError,
  Dropout,
  type History,
  LambdaCallback,
  loadModelWeights,
  OutOfMemoryError,
  type RecoveredInfo,
  Sequential,
} from '../../src/index';
import { exportModelWeights } from '../../src/io/model-io';
import { captureLastGood, type LastGoodState, lastGoodOf } from '../../src/nn/model/last-good';
import { FitRecoveryError } from '../../src/nn/model/recovery';
import { blobs } from './helpers';

const { x, y } = blobs(96, 5);
const FIT = { epochs: 4, batchSize: 16, seed: 1, validationSplit: 0.25 } as const;

function makeModel(): Sequential {
  const model = new Sequential({
    seed: 7,
    layers: [
      new Dense({ units: 8, activation: 'relu', inputShape: [2] }),
      new BatchNormalization(),
      new Dropout({ rate: 0.2 }),
      new Dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({
    optimizer: new Adam({ learningRate: 0.05 }),
    loss: 'binaryCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

/** Destroys the current WebGPU device once, at `batch` of `epoch` (batch -1: at that epoch's end). */
function destroyAt(epoch: number, batch: number, times = 1) {
  let current = -1;
  let left = times;
  const destroy = () => {
    if (left-- > 0) (currentBackend() as WebGPUBackend).device.destroy();
  };
  return new LambdaCallback({
    onEpochBegin: (e) => {
      current = e;
    },
    onBatchEnd: (b) => {
      if (current === epoch && b === batch) destroy();
      else if (times > 1 && b === batch) destroy();
    },
  });
}

async function onGpu(): Promise<WebGPUBackend> {
  const gpu = await WebGPUBackend.create();
  useBackend(gpu);
  return gpu;
}

afterEach(async () => {
  const b = currentBackend();
  wireDefaultBackend(); // the real recovery hook again
  useBackend(new CpuBackend());
  if (b instanceof WebGPUBackend) b.destroy();
});

let reference: Promise<{ history: History; weights: Float32Array[] }> | undefined;
/** The unfaulted run on WebGPU: every epoch of it is also the run resumed from that epoch. */
function unfaulted() {
  reference ??= (async () => {
    const gpu = await onGpu();
    const model = makeModel();
    const history = await model.fit(x, y, FIT);
    const weights = await Promise.all(model.getWeights().map((t) => t.data()));
    useBackend(new CpuBackend());
    gpu.destroy();
    return { history, weights };
  })();
  return reference;
}

function expectClose(got: readonly number[], want: readonly number[], label: string, tol = 1e-6) {
  expect(got.length, label).toBe(want.length);
  got.forEach((v, i) => {
    expect(
      Math.abs(v - want[i]) / Math.max(Math.abs(want[i]), 1e-3),
      `${label}[${i}]: ${v} vs ${want[i]}`,
    ).toBeLessThan(tol);
  });
}

/** `got`'s epochs from `from` against every epoch of `want` (a run resumed there, or the whole run). */
function expectSameEpochs(got: History, want: History, from = 0) {
  for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy']) {
    expectClose(got.history[key].slice(from), want.history[key], key);
  }
}

/** An unfaulted CPU run resumed from `state`: the same state put into a fresh model, from its epoch. */
async function resumedOnCpu(state: LastGoodState): Promise<History> {
  useBackend(new CpuBackend());
  const resumed = makeModel();
  const shapes = new Map(resumed.variables.map((v) => [v.name, v.shape]));
  const onCpu = (values: ReadonlyMap<string, Float32Array>, shapeOf: (name: string) => readonly number[]) =>
    new Map([...values].map(([n, v]) => [n, tensor(v, [...shapeOf(n)])]));
  resumed.setWeightsByName(onCpu(state.weights, (n) => shapes.get(n)!));
  resumed.optimizer.setState({
    iterations: state.iterations,
    slots: onCpu(state.slots, (n) => shapes.get(n.slice(0, n.lastIndexOf('.')))!),
  });
  return resumed.fit(x, y, { ...FIT, initialEpoch: state.epoch });
}

/** A callback keeping a copy of the model's last-good state as fit recovers. */
function keepLastGood(into: { state?: LastGoodState }) {
  return new LambdaCallback({
    onRecovered: (_info, m) => {
      const s = lastGoodOf(m)!;
      const copy = (values: ReadonlyMap<string, Float32Array>) =>
        new Map([...values].map(([n, v]) => [n, Float32Array.from(v)]));
      into.state = { ...s, weights: copy(s.weights), slots: copy(s.slots) };
    },
  });
}

describe('fit after a device loss', () => {
  it('goes on on a new WebGPU device from the last completed epoch, with the unfaulted losses', async () => {
    const want = await unfaulted();
    const first = await onGpu();
    const model = makeModel();
    const seen: RecoveredInfo[] = [];
    const history = await model.fit(x, y, {
      ...FIT,
      callbacks: [destroyAt(2, 2), new LambdaCallback({ onRecovered: (info) => void seen.push(info) })],
    });
    expect(history.error).toBeNull();
    expect(history.epoch).toEqual([0, 1, 2, 3]);
    expectSameEpochs(history, want.history);
    expect(history.recovered).toHaveLength(1);
    expect(history.recovered[0]).toMatchObject({ epoch: 2, from: first.description });
    expect(history.recovered[0].cause).toMatch(/lost|destroyed/);
    expect(history.recovered[0].to).toMatch(/WebGPU/);
    expect(seen).toEqual(history.recovered);
    expect(history.toJSON().recovered).toEqual(history.recovered);
    expect(currentBackend()).not.toBe(first);
    expect(getBackendInfo().recovered?.from).toBe(first.description);
    const weights = await Promise.all(model.getWeights().map((t) => t.data()));
    for (const [k, w] of weights.entries()) expectClose([...w], [...want.weights[k]], `weight ${k}`, 1e-5);
    expect((await exportModelWeights(model)).length).toBeGreaterThan(0);
  });

  it('recovers from a loss before the first step, from the state fit started with', async () => {
    const want = await unfaulted();
    await onGpu();
    const model = makeModel();
    const lose = new LambdaCallback({
      onEpochBegin: (epoch) => {
        if (epoch === 0 && model.optimizer.iterations === 0 && !lost) {
          lost = true;
          (currentBackend() as WebGPUBackend).device.destroy();
        }
      },
    });
    let lost = false;
    const history = await model.fit(x, y, { ...FIT, callbacks: [lose] });
    expect(history.recovered.map((r) => r.epoch)).toEqual([0]);
    expectSameEpochs(history, want.history);
  });

  it('recovers the eager executor too', async () => {
    await onGpu();
    const eager = { ...FIT, epochs: 3, executor: 'eager' } as const;
    const want = await makeModel().fit(x, y, eager);
    const history = await makeModel().fit(x, y, { ...eager, callbacks: [destroyAt(1, 2)] });
    expect(history.recovered.map((r) => [r.epoch, r.to.startsWith('WebGPU')])).toEqual([[1, true]]);
    expectSameEpochs(history, want);
  });

  it('goes on on the CPU when no device can be had, as a CPU run resumed from that state', async () => {
    await onGpu();
    setBackendRecovery(async () => {
      const cpu = new CpuBackend();
      useBackend(cpu);
      return cpu;
    });
    const model = makeModel();
    const kept: { state?: LastGoodState } = {};
    const history = await model.fit(x, y, {
      ...FIT,
      callbacks: [destroyAt(1, 1), keepLastGood(kept)],
    });
    expect(history.recovered[0]).toMatchObject({ epoch: 1, to: expect.stringMatching(/^CPU \(float32\)/) });
    expect(kept.state?.epoch).toBe(1);
    const want = await resumedOnCpu(kept.state!);
    expectSameEpochs(history, want, 1);
  });

  it('goes on on the CPU after an allocation the device cannot take, unless the CPU budget cannot either', async () => {
    await onGpu();
    const failAt = (epoch: number) =>
      new LambdaCallback({
        onBatchEnd: (batch) => {
          if (batch === 1 && seenEpoch === epoch && !thrown) {
            thrown = true;
            throw new DeviceAllocationError('test: out of device memory for a buffer of 2^31 bytes');
          }
        },
        onEpochBegin: (e) => {
          seenEpoch = e;
        },
      });
    let seenEpoch = -1;
    let thrown = false;
    const kept: { state?: LastGoodState } = {};
    const model = makeModel();
    const history = await model.fit(x, y, { ...FIT, callbacks: [failAt(1), keepLastGood(kept)] });
    expect(history.recovered[0]).toMatchObject({ epoch: 1, to: expect.stringMatching(/^CPU \(float32\)/) });
    expect(history.recovered[0].cause).toMatch(/out of device memory/);
    expectSameEpochs(history, await resumedOnCpu(kept.state!), 1);

    await onGpu();
    thrown = false;
    const big = makeModel();
    setMemoryBudget({ cpu: 1000 });
    try {
      const error = await big.fit(x, y, { ...FIT, callbacks: [failAt(2)] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OutOfMemoryError);
      expect((error as Error).message).toMatch(/recovering on CPU/);
    } finally {
      setMemoryBudget({ cpu: null });
    }
    const state = lastGoodOf(big)!;
    expect(state.epoch).toBe(2);
    const weights = big.getWeightsByName();
    for (const [name, value] of state.weights)
      expect([...(await weights.get(name)!.data())]).toEqual([...value]);
  });

  it('keeps the previous last-good state whole when a capture fails mid-copy', async () => {
    const gpu = await onGpu();
    const model = makeModel();
    await model.fit(x, y, { ...FIT, epochs: 2 });
    const before = lastGoodOf(model)!;
    const copy = new Map([...before.weights].map(([n, v]) => [n, Float32Array.from(v)]));
    gpu.device.destroy();
    await expect(captureLastGood(model, 7)).rejects.toThrow(/destroyed|lost/);
    const after = lastGoodOf(model)!;
    expect(after.epoch).toBe(2);
    for (const [name, value] of copy) expect([...after.weights.get(name)!]).toEqual([...value]);
  });

  it('recovers from a loss during validation and during an export from a callback', async () => {
    const want = await unfaulted();
    await onGpu();
    const model = makeModel();
    let exported: Uint8Array | null = null;
    let before: Float32Array[] = [];
    const history = await model.fit(x, y, {
      ...FIT,
      callbacks: [
        // The last batch of epoch 0 (72 training rows in 5 batches): the fault surfaces in validation.
        destroyAt(0, 4),
        new LambdaCallback({
          onEpochEnd: async (epoch, _logs, m) => {
            if (epoch !== 2) return;
            before = await Promise.all(m.getWeights().map((t) => t.data()));
            (currentBackend() as WebGPUBackend).device.destroy();
            exported = await exportModelWeights(m);
            const read = await Promise.all(m.getWeights().map((t) => t.data()));
            for (const [k, w] of read.entries()) expect([...w]).toEqual([...before[k]]);
          },
        }),
      ],
    });
    expect(history.recovered.map((r) => r.epoch)).toEqual([0, 3]);
    expectSameEpochs(history, want.history);
    const copy = makeModel();
    loadModelWeights(copy, exported!);
    const loaded = await Promise.all(copy.getWeights().map((t) => t.data()));
    for (const [k, w] of loaded.entries()) expect([...w]).toEqual([...before[k]]);
  });

  it('rejects with FitRecoveryError when no backend can replace the device, the model at its last-good state', async () => {
    await onGpu();
    setBackendRecovery(async () => {
      throw new Error('test: no backend at all');
    });
    const model = makeModel();
    const error = await model.fit(x, y, { ...FIT, callbacks: [destroyAt(2, 1)] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FitRecoveryError);
    expect((error as FitRecoveryError).message).toMatch(/no backend could replace .*test: no backend at all/);
    expect((error as FitRecoveryError).epoch).toBe(2);
    const state = lastGoodOf(model)!;
    expect(state.epoch).toBe(2);
    const weights = model.getWeightsByName();
    for (const [name, value] of state.weights)
      expect([...(await weights.get(name)!.data())]).toEqual([...value]);
    expect(model.optimizer.iterations).toBe(state.iterations);
    expect((await exportModelWeights(model)).length).toBeGreaterThan(0);
  });

  it('a model whose device went after fit reads, exports, predicts and evaluates from its last-good state', async () => {
    const gpu = await onGpu();
    const model = makeModel();
    await model.fit(x, y, { ...FIT, epochs: 2 });
    const weights = await Promise.all(model.getWeights().map((t) => t.data()));
    const predicted = await (await model.predict(x)).data();
    const evaluated = (await model.evaluate(x, y)) as number[];
    gpu.device.destroy();
    await expect(model.variables[0].value.data()).rejects.toThrow(/destroyed|lost/);
    for (const [k, t] of model.getWeights().entries()) expect([...(await t.data())]).toEqual([...weights[k]]);
    const file = await exportModelWeights(model);
    useBackend(new CpuBackend()); // setBackend('cpu'), as a page would after the loss
    const copy = makeModel();
    loadModelWeights(copy, file);
    for (const [k, t] of copy.getWeights().entries()) expect([...(await t.data())]).toEqual([...weights[k]]);
    expectClose([...(await (await model.predict(x)).data())], [...predicted], 'predict', 1e-5);
    expectClose((await model.evaluate(x, y)) as number[], evaluated, 'evaluate', 1e-5);
  });

  it('a fit started after the device went replaces it first and trains on from the last-good state', async () => {
    const gpu = await onGpu();
    const twice = makeModel();
    await twice.fit(x, y, { ...FIT, epochs: 2 });
    const want = await twice.fit(x, y, { ...FIT, epochs: 2 });
    const model = makeModel();
    await model.fit(x, y, { ...FIT, epochs: 2 });
    gpu.device.destroy();
    await expect(model.variables[0].value.data()).rejects.toThrow(/destroyed|lost/);
    const history = await model.fit(x, y, { ...FIT, epochs: 2 });
    expect(history.recovered).toHaveLength(1);
    expect(history.recovered[0]).toMatchObject({ epoch: 0, from: gpu.description });
    expect(currentBackend()).not.toBe(gpu);
    expectSameEpochs(history, want);
  });

  it('gives up after two recoveries in one fit', async () => {
    await onGpu();
    const model = makeModel();
    const error = await model
      .fit(x, y, { ...FIT, callbacks: [destroyAt(-1, 1, 3)] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FitRecoveryError);
    expect((error as Error).message).toMatch(/failed again after 2 recoveries/);
    expect(lastGoodOf(model)?.epoch).toBe(0);
    expect((await model.getWeights()[0].data()).every(Number.isFinite)).toBe(true);
  });
});
