/**
 * Continue in PyTorch: a run trained two epochs here is exported as a bundle, continued two epochs
 * by `python3 model.py train` (the real torch), and the per-epoch losses match two more epochs of
 * the library on the CPU backend; the result reads back with readTrainingBundle and
 * restoreTrainingState, and fit resumes from it. Also under torchrun with 2 processes (gloo).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Activation,
  Adam,
  AdamW,
  BatchNormalization,
  captureTrainingState,
  Dense,
  Dropout,
  decodeSafetensors,
  EarlyStopping,
  ReduceLROnPlateau,
  RMSprop,
  readTrainingBundle,
  restoreTrainingState,
  Sequential,
  SGD,
} from '../../src/index';
import {
  classificationRun,
  dataArgs,
  type Run,
  readContinued,
  trainAndCapture,
  worstDifference,
  writeBundle,
} from './continue';
import { presetModel } from './models';
import { numpyMissing, pythonPath, runPython, torchMissing, writeFiles } from './python';

const skip = numpyMissing !== null || torchMissing !== null;
if (skip) console.warn(`test/export/pytorch-continue.test.ts skipped: ${torchMissing ?? numpyMissing}`);

/** A port nothing listens on now, on 127.0.0.1 (the rendezvous binds only there). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const KEYS = ['loss', 'accuracy', 'val_loss', 'val_accuracy'];

/** Library: 2 epochs, capture, 2 more. PyTorch: the same 2 more from the capture. */
async function compare(run: Run, extraArgs: string[] = []) {
  const { state } = await trainAndCapture(run, 2);
  const dir = await writeBundle(run, state, 4);
  const ours = restoreTrainingState(state);
  const libraryHistory = await ours.model.fit(run.x, run.y, {
    ...run.fit,
    epochs: 4,
    initialEpoch: ours.initialEpoch,
    history: ours.history,
    validationData: run.validation,
  });
  const { stderr } = runPython(
    [
      'model.py',
      'train',
      'bundle.zip',
      ...dataArgs,
      '--epochs',
      '2',
      '--out',
      'out',
      '--device',
      'cpu',
      ...extraArgs,
    ],
    dir,
  );
  const continued = readContinued(dir);
  return { dir, stderr, continued, library: libraryHistory.toJSON(), ours };
}

describe.skipIf(skip)('python3 model.py train continues the run as the library would', () => {
  it('an MLP with BatchNormalization (and Dropout) under Adam: per-epoch losses within 1e-4', async () => {
    // No bias before BatchNormalization: its gradient is exactly zero in theory and float noise in
    // practice, which Adam's m / sqrt(v) turns into steps of ±lr that no two implementations share
    // (the training loss is blind to it; the moving mean, and so val_loss, drift by ~1e-4).
    const model = new Sequential({
      seed: 7,
      layers: [
        new Dense({ units: 12, inputShape: [6], useBias: false }),
        new BatchNormalization({ momentum: 0.9 }),
        new Activation({ activation: 'relu' }),
        new Dropout({ rate: 0.25 }),
        new Dense({ units: 3, activation: 'softmax' }),
      ],
    });
    const run = classificationRun(model, new Adam({ learningRate: 0.02 }), 38, 3, { batchSize: 8, seed: 3 });
    const { continued, library, stderr, dir } = await compare(run);
    expect(continued.state.epoch).toBe(4);
    expect(continued.state.optimizerState.iterations).toBe(4 * 5);
    expect(stderr).toMatch(/batch size 8 in all/);
    const diff = worstDifference(continued.state.history, library, [2, 3], KEYS);
    console.info(
      `MLP+BN+Dropout, Adam: largest |PyTorch - library| per key over epochs 3-4: ${JSON.stringify(diff)}`,
    );
    expect(diff.loss).toBeLessThan(1e-4);
    expect(diff.val_loss).toBeLessThan(1e-4);
    expect(diff.accuracy).toBeLessThan(1e-6);
    // The epochs trained here are kept in the history the script writes back.
    expect(continued.state.history.epoch).toEqual([0, 1, 2, 3]);
    expect(continued.state.history.history.loss.slice(0, 2)).toEqual(library.history.loss.slice(0, 2));
    // A checkpoint after each epoch, each a bundle of its own.
    const third = readTrainingBundle(
      new Uint8Array(readFileSync(join(dir, 'out', 'checkpoints', 'epoch-3.zip'))),
    );
    expect([third.state.epoch, third.state.optimizerState.iterations]).toEqual([3, 15]);
    expect(third.state.history.history.loss[2]).toBe(continued.state.history.history.loss[2]);
  });

  it('the CNN preset under SGD with momentum: per-epoch losses within 1e-4', async () => {
    const model = presetModel('cnn', 16, 'classification', 3);
    const run = classificationRun(model, new SGD({ learningRate: 0.05, momentum: 0.9 }), 30, 3, {
      batchSize: 8,
      seed: 11,
    });
    const { continued, library } = await compare(run);
    const diff = worstDifference(continued.state.history, library, [2, 3], KEYS);
    console.info(
      `CNN preset, SGD momentum: largest |PyTorch - library| per key over epochs 3-4: ${JSON.stringify(diff)}`,
    );
    expect(diff.loss).toBeLessThan(1e-4);
    expect(diff.val_loss).toBeLessThan(1e-4);
  });
});

describe.skipIf(skip)('the other optimizers, schedules, clipping, class weights and callbacks', () => {
  it('AdamW (cosine schedule, clipNorm, class weights) and RMSprop (centred, momentum, staircase schedule, clipValue)', async () => {
    const dense = (seed: number) =>
      new Sequential({
        seed,
        layers: [
          new Dense({ units: 8, activation: 'tanh', inputShape: [4] }),
          new Dense({ units: 3, activation: 'softmax' }),
        ],
      });
    const adamw = new AdamW({
      learningRate: { type: 'cosine', initialLearningRate: 0.05, decaySteps: 12, alpha: 0.1 },
      weightDecay: 0.01,
      clipNorm: 0.5,
    });
    const rmsprop = new RMSprop({
      learningRate: {
        type: 'exponential',
        initialLearningRate: 0.02,
        decaySteps: 3,
        decayRate: 0.7,
        staircase: true,
      },
      centered: true,
      momentum: 0.5,
      clipValue: 0.05,
    });
    for (const [name, model, optimizer, classWeight] of [
      ['AdamW', dense(3), adamw, { 0: 2.5, 2: 0.5 }],
      ['RMSprop', dense(4), rmsprop, undefined],
    ] as const) {
      const run = classificationRun(model, optimizer, 21, 3, {
        batchSize: 5,
        seed: 8,
        ...(classWeight ? { classWeight } : {}),
      });
      const { continued, library } = await compare(run);
      const diff = worstDifference(continued.state.history, library, [2, 3], KEYS);
      console.info(`${name}: largest |PyTorch - library| per key over epochs 3-4: ${JSON.stringify(diff)}`);
      expect(diff.loss, name).toBeLessThan(1e-4);
      expect(diff.val_loss, name).toBeLessThan(1e-4);
    }
  });

  it('EarlyStopping and ReduceLROnPlateau go on counting from the exported counters', async () => {
    const model = new Sequential({
      seed: 5,
      layers: [new Dense({ units: 2, activation: 'softmax', inputShape: [3] })],
    });
    const run = classificationRun(model, new SGD({ learningRate: 0.1 }), 12, 2, { batchSize: 4, seed: 1 });
    // minDelta 10: no epoch after the first improves, so the counters alone decide.
    const rlr = new ReduceLROnPlateau({ monitor: 'loss', patience: 1, minDelta: 10, factor: 0.5 });
    const es = new EarlyStopping({ monitor: 'loss', patience: 3, minDelta: 10, restoreBestWeights: true });
    const history = await run.model.fit(run.x, run.y, {
      ...run.fit,
      epochs: 2,
      callbacks: [rlr, es],
      validationData: run.validation,
    });
    expect(es.wait).toBe(1);
    const best = es.bestWeights!;
    const state = await captureTrainingState(run.model, { epoch: 2, history });
    const dir = await writeBundle(run, state, 10, [rlr, es]);
    runPython(['model.py', 'train', 'bundle.zip', ...dataArgs, '--out', 'out', '--device', 'cpu'], dir);
    const continued = readContinued(dir);
    // wait 1 after epoch 2; epochs 3 and 4 make it 3 = patience: stopped after 4 of the 10 planned.
    expect(continued.state.epoch).toBe(4);
    expect(continued.callbacks.earlyStopping).toMatchObject({ wait: 3, stoppedEpoch: 3, bestEpoch: 0 });
    // The plateau halved the rate after epochs 2, 3 and 4 (lr logs the rate each epoch trained with).
    expect(continued.state.history.history.lr.slice(2)).toEqual([0.05, 0.025]);
    expect(continued.state.optimizerState.optimizer.config.learningRate).toBe(0.0125);
    // restoreBestWeights: epoch 1's weights, which the bundle carried from the browser.
    const weights = decodeSafetensors(continued.state.weights).tensors;
    for (const [k, v] of best) expect([...weights.get(k)!.data], k).toEqual([...v.data]);
    // A feature that is not a number is refused naming the row, before anything trains.
    const rows = readFileSync(join(dir, 'train.csv'), 'utf8').split('\n');
    rows[3] = rows[3].replace(/^[^,]*/, 'oops');
    writeFiles(dir, { 'bad.csv': rows.join('\n') });
    expect(() =>
      runPython(
        ['model.py', 'train', 'bundle.zip', '--data', 'bad.csv', '--target', 'label', '--out', 'o2'],
        dir,
      ),
    ).toThrow(
      /bad\.csv: 1 training rows have a feature that is not a finite number \(first: training row 2\)/,
    );
  });
});

describe.skipIf(skip)('torchrun --nproc_per_node=2 (gloo, CPU)', () => {
  it('trains 2 epochs on 2 processes; the result loads back and fit resumes from it', async () => {
    const model = new Sequential({
      seed: 9,
      layers: [
        new Dense({ units: 10, inputShape: [5], useBias: false }),
        new BatchNormalization({}),
        new Activation({ activation: 'relu' }),
        new Dense({ units: 2, activation: 'softmax' }),
      ],
    });
    const run = classificationRun(model, new Adam({ learningRate: 0.01 }), 29, 2, { batchSize: 6, seed: 4 });
    const { state } = await trainAndCapture(run, 2);
    const dir = await writeBundle(run, state, 4);
    const ours = restoreTrainingState(state);
    const library = (
      await ours.model.fit(run.x, run.y, {
        ...run.fit,
        epochs: 4,
        initialEpoch: 2,
        history: ours.history,
        validationData: run.validation,
      })
    ).toJSON();
    const r = spawnSync(
      pythonPath,
      [
        // torchrun, through the module's launcher (it mends torch 1.13's torchrun on Python 3.11).
        'model.py',
        'launch',
        '--nproc_per_node=2',
        '--nnodes=1',
        '--master_addr=127.0.0.1',
        `--master_port=${await freePort()}`,
        'train',
        'bundle.zip',
        ...dataArgs,
        '--epochs',
        '2',
        '--out',
        'out',
        '--device',
        'cpu',
      ],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', MASTER_ADDR: '127.0.0.1' } },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/2 process\(es\) on cpu; batch size 6 in all, about 3 per process/);
    const continued = readContinued(dir);
    expect(continued.continuedWith).toMatchObject({ processes: 2 });
    // BatchNormalization's statistics are summed over both processes, so 2 processes train as one.
    const diff = worstDifference(continued.state.history, library, [2, 3], ['loss', 'val_loss']);
    console.info(`torchrun x2: largest |PyTorch - library| per key over epochs 3-4: ${JSON.stringify(diff)}`);
    expect(diff.loss).toBeLessThan(1e-4);
    const back = restoreTrainingState(continued.state);
    expect(back.initialEpoch).toBe(4);
    expect(back.model.requireCompiled('test').optimizer.iterations).toBe(4 * 5);
    const resumed = await back.model.fit(run.x, run.y, {
      ...run.fit,
      epochs: 5,
      initialEpoch: back.initialEpoch,
      history: back.history,
      validationData: run.validation,
    });
    expect(resumed.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(Number.isFinite(resumed.history.loss[4])).toBe(true);
  });
});
