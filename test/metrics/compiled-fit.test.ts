import { describe, expect, it, vi } from 'vitest';
import { Random } from '../../src/graph/random';
import { Dense } from '../../src/nn/layers/index';
import type { HostTensor, Metric } from '../../src/nn/metric';
import {
  f1,
  meanAbsoluteError,
  meanSquaredError,
  precision,
  r2,
  recall,
  rocAuc,
} from '../../src/nn/metrics/index';
import { Callback, type Logs } from '../../src/nn/model/callback';
import { Sequential } from '../../src/nn/model/sequential';
import { Adam } from '../../src/nn/optimizers/adam';

/** A metric that keeps every batch it is given, one session per reset, so tests can recompute. */
class Recorder implements Metric {
  readonly name = 'recorded';
  readonly sessions: { yTrue: number[]; yPred: number[]; classes: number }[] = [];

  reset(): void {
    this.sessions.push({ yTrue: [], yPred: [], classes: 0 });
  }

  update(yTrue: HostTensor, yPred: HostTensor): void {
    const s = this.sessions[this.sessions.length - 1];
    s.yTrue.push(...yTrue.data);
    s.yPred.push(...yPred.data);
    s.classes = yPred.shape[yPred.shape.length - 1];
  }

  result(): number {
    return this.sessions.length;
  }
}

function rowsOf(flat: number[], classes: number): number[][] {
  return Array.from({ length: flat.length / classes }, (_, r) => flat.slice(r * classes, (r + 1) * classes));
}

/** Three overlapping Gaussian classes in 2-D, so no metric is trivially 0 or 1. */
function threeClasses(n: number, seed: number) {
  const rng = new Random(seed);
  const centres = [
    [0, 0],
    [1, 0.5],
    [0.2, 1.2],
  ];
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    x.push([centres[c][0] + rng.normal(), centres[c][1] + rng.normal()]);
    y.push(c);
  }
  return { x, y };
}

class BatchLogs extends Callback {
  readonly keys: string[][] = [];
  override onBatchEnd(_batch: number, logs: Logs): void {
    this.keys.push(Object.keys(logs));
  }
}

describe('compiled metrics in fit equal the plain functions', () => {
  it('binary: precision, recall, f1, auc for training and validation, every epoch', async () => {
    const rng = new Random(3);
    const x = Array.from({ length: 80 }, () => [rng.normal(), rng.normal()]);
    const y = x.map(([a, b]) => (a + 0.5 * b + 0.8 * rng.normal() > 0 ? 1 : 0));
    const model = new Sequential({
      seed: 1,
      layers: [new Dense({ units: 1, activation: 'sigmoid', inputShape: [2] })],
    });
    const recorder = new Recorder();
    model.compile({
      optimizer: new Adam({ learningRate: 0.05 }),
      loss: 'binaryCrossentropy',
      metrics: ['precision', 'recall', 'f1', 'auc', recorder],
    });
    const batches = new BatchLogs();
    const history = await model.fit(x, y, {
      epochs: 3,
      batchSize: 16,
      validationSplit: 0.25,
      callbacks: [batches],
    });
    expect(Object.keys(history.history).sort()).toEqual(
      ['auc', 'f1', 'loss', 'precision', 'recall', 'recorded'].flatMap((k) => [k, `val_${k}`]).sort(),
    );
    // Per epoch: a training session then a validation session.
    expect(recorder.sessions).toHaveLength(6);
    for (let epoch = 0; epoch < 3; epoch++) {
      for (const [prefix, s] of [
        ['', recorder.sessions[2 * epoch]],
        ['val_', recorder.sessions[2 * epoch + 1]],
      ] as const) {
        const labels = s.yTrue;
        const predicted = s.yPred.map((p) => (p > 0.5 ? 1 : 0));
        expect(history.history[`${prefix}precision`][epoch]).toBe(precision(labels, predicted));
        expect(history.history[`${prefix}recall`][epoch]).toBe(recall(labels, predicted));
        expect(history.history[`${prefix}f1`][epoch]).toBe(f1(labels, predicted));
        // One-shot AUC over all the epoch's scores: the compiled value accumulated them all.
        expect(history.history[`${prefix}auc`][epoch]).toBe(rocAuc(labels, s.yPred));
      }
    }
    expect(recorder.sessions[0].yTrue).toHaveLength(60);
    expect(recorder.sessions[1].yTrue).toHaveLength(20);
    // AUC sorts the whole epoch, so it is in epoch logs only; the others run per batch too.
    expect(batches.keys[0]).toEqual(['batch', 'size', 'loss', 'precision', 'recall', 'f1', 'recorded']);
  });

  it('multiclass softmax: macro averages under the plain names', async () => {
    const train = threeClasses(90, 4);
    const val = threeClasses(45, 5);
    const model = new Sequential({
      seed: 2,
      layers: [new Dense({ units: 3, activation: 'softmax', inputShape: [2] })],
    });
    const recorder = new Recorder();
    model.compile({
      optimizer: new Adam({ learningRate: 0.05 }),
      loss: 'sparseCategoricalCrossentropy',
      metrics: ['precision', 'recall', 'f1', 'auc', recorder],
    });
    const history = await model.fit(train.x, train.y, {
      epochs: 2,
      batchSize: 32,
      validationData: [val.x, val.y],
    });
    for (let epoch = 0; epoch < 2; epoch++) {
      for (const [prefix, s] of [
        ['', recorder.sessions[2 * epoch]],
        ['val_', recorder.sessions[2 * epoch + 1]],
      ] as const) {
        const rows = rowsOf(s.yPred, 3);
        const average = 'macro';
        expect(history.history[`${prefix}precision`][epoch]).toBe(precision(s.yTrue, rows, { average }));
        expect(history.history[`${prefix}recall`][epoch]).toBe(recall(s.yTrue, rows, { average }));
        expect(history.history[`${prefix}f1`][epoch]).toBe(f1(s.yTrue, rows, { average }));
        expect(history.history[`${prefix}auc`][epoch]).toBe(rocAuc(s.yTrue, rows, { average }));
      }
    }
  });

  it('regression: mse, mae and r2', async () => {
    const rng = new Random(8);
    const x = Array.from({ length: 40 }, () => [rng.normal(), rng.normal()]);
    const y = x.map(([a, b]) => [2 * a - b + 0.1 * rng.normal()]);
    const model = new Sequential({ seed: 3, layers: [new Dense({ units: 1, inputShape: [2] })] });
    const recorder = new Recorder();
    model.compile({
      optimizer: new Adam({ learningRate: 0.1 }),
      loss: 'mse',
      metrics: ['mse', 'mae', 'r2', recorder],
    });
    const history = await model.fit(x, y, { epochs: 2, batchSize: 10, validationSplit: 0.25 });
    const val = recorder.sessions[3];
    expect(history.history.val_mse[1]).toBeCloseTo(meanSquaredError(val.yTrue, val.yPred), 12);
    expect(history.history.val_mae[1]).toBeCloseTo(meanAbsoluteError(val.yTrue, val.yPred), 12);
    expect(history.history.val_r2[1]).toBeCloseTo(r2(val.yTrue, val.yPred), 10);
    expect(history.history.val_mse[1]).toBeCloseTo(history.history.val_loss[1], 6);
  });
});

describe('degenerate epochs during fit', () => {
  it('a validation set with one class leaves val_auc out with a warning, and training completes', async () => {
    const rng = new Random(9);
    const x = Array.from({ length: 40 }, () => [rng.normal(), rng.normal()]);
    const y = x.map(([a]) => (a > 0 ? 1 : 0));
    const valX = [
      [1, 1],
      [2, 0],
      [0.5, -1],
    ];
    const model = new Sequential({
      seed: 1,
      layers: [new Dense({ units: 1, activation: 'sigmoid', inputShape: [2] })],
    });
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['auc', 'precision'] });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const history = await model.fit(x, y, { epochs: 2, batchSize: 8, validationData: [valX, [1, 1, 1]] });
      expect(history.epoch).toEqual([0, 1]);
      expect(history.error).toBeNull();
      expect(history.history.val_auc).toBeUndefined();
      expect(history.history.auc).toHaveLength(2);
      expect(Number.isFinite(history.history.val_precision[0])).toBe(true);
      expect(warn).toHaveBeenCalledTimes(2);
      expect(String(warn.mock.calls[0][0])).toMatch(
        /^val_auc is left out of these logs: auc: only positive samples/,
      );
    } finally {
      warn.mockRestore();
    }
  });

  it('evaluate leaves an undefined metric out rather than returning NaN', async () => {
    const model = new Sequential({ seed: 1, layers: [new Dense({ units: 1, inputShape: [1] })] });
    model.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['r2', 'mae'] });
    const warn = vi.fn();
    const spy = vi.spyOn(console, 'warn').mockImplementation(warn);
    try {
      const logs = await model.evaluate([[1]], [[2]], { returnDict: true });
      expect(Object.keys(logs)).toEqual(['loss', 'mae']);
      expect(warn.mock.calls[0][0]).toMatch(/r2 is left out of these logs: r2: got 1 value/);
    } finally {
      spy.mockRestore();
    }
  });

  it('compile accepts every documented name and rejects unknown ones', () => {
    const model = new Sequential({
      layers: [new Dense({ units: 3, activation: 'softmax', inputShape: [2] })],
    });
    model.compile({
      loss: 'sparseCategoricalCrossentropy',
      metrics: ['accuracy', 'precision', 'recall', 'f1', 'auc', 'mse', 'mae', 'r2'],
    });
    expect(model.compiled!.metrics.map((m) => m.name)).toEqual([
      'accuracy',
      'precision',
      'recall',
      'f1',
      'auc',
      'mse',
      'mae',
      'r2',
    ]);
    expect(() => model.compile({ loss: 'mse', metrics: ['f2'] })).toThrow(/unknown metric 'f2'/);
  });
});

describe('History with an epoch that lacks a key', () => {
  it('keeps every series aligned with epoch, NaN where the value was left out', async () => {
    const { History } = await import('../../src/nn/model/history');
    const h = new History();
    h.onEpochEnd(0, { loss: 1, val_auc: 0.7 });
    h.onEpochEnd(1, { loss: 0.9 });
    h.onEpochEnd(2, { loss: 0.8, val_auc: 0.75 });
    expect(h.history.loss).toEqual([1, 0.9, 0.8]);
    expect(h.history.val_auc).toEqual([0.7, Number.NaN, 0.75]);
  });
});
