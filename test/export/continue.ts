/**
 * Shared by the "continue in PyTorch" tests: a run trained two epochs with the library, its bundle
 * written to a folder with the encoded CSVs, and the script's output read back.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import {
  captureTrainingState,
  encodedCsv,
  exportTrainingBundle,
  type FitOptions,
  type History,
  type Optimizer,
  Random,
  readTrainingBundle,
  type Sequential,
  type TrainingBundleOptions,
} from '../../src/index';
import { randomBatch } from './models';
import { tempDir, writeFiles } from './python';

export interface Run {
  model: Sequential;
  x: { data: Float32Array; shape: number[] };
  y: { data: Float32Array; shape: number[] };
  validation: [{ data: Float32Array; shape: number[] }, { data: Float32Array; shape: number[] }];
  fit: FitOptions & { batchSize: number; seed: number };
}

export function classificationRun(
  model: Sequential,
  optimizer: Optimizer,
  rows: number,
  classes: number,
  fit: Omit<Run['fit'], 'epochs'>,
): Run {
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const inputShape = model.inputShape!;
  const rng = new Random(21);
  const labels = (n: number) => Float32Array.from({ length: n }, () => rng.int(classes));
  const vRows = Math.max(4, Math.floor(rows / 4));
  return {
    model,
    x: randomBatch([rows, ...inputShape], 22),
    y: { data: labels(rows), shape: [rows] },
    validation: [randomBatch([vRows, ...inputShape], 23), { data: labels(vRows), shape: [vRows] }],
    fit,
  };
}

/** Trains `epochs` epochs and returns the captured state and the History. */
export async function trainAndCapture(run: Run, epochs: number) {
  const history: History = await run.model.fit(run.x, run.y, {
    ...run.fit,
    epochs,
    validationData: run.validation,
  });
  return { state: await captureTrainingState(run.model, { epoch: epochs, history }), history };
}

/** The bundle, model.py and the encoded CSVs (features x0.., target `label`) in a new folder. */
export async function writeBundle(
  run: Run,
  state: Awaited<ReturnType<typeof captureTrainingState>>,
  plannedEpochs: number,
  callbacks?: TrainingBundleOptions['callbacks'],
) {
  const dir = tempDir();
  const bundle = await exportTrainingBundle(run.model, state, null, {
    fit: {
      epochs: plannedEpochs,
      batchSize: run.fit.batchSize,
      seed: run.fit.seed,
      ...(run.fit.classWeight ? { classWeight: run.fit.classWeight } : {}),
    },
    ...(callbacks ? { callbacks } : {}),
  });
  const width = run.x.data.length / run.x.shape[0];
  const names = Array.from({ length: width }, (_, j) => `x${j}`);
  writeFiles(dir, {
    'bundle.zip': bundle,
    'model.py': unzipSync(bundle)['model.py'],
    'train.csv': encodedCsv(names, run.x.data, run.y.data, 'label'),
    'validation.csv': encodedCsv(names, run.validation[0].data, run.validation[1].data, 'label'),
  });
  return dir;
}

export const dataArgs = ['--data', 'train.csv', '--validation-data', 'validation.csv', '--target', 'label'];

export function readContinued(dir: string) {
  return readTrainingBundle(new Uint8Array(readFileSync(join(dir, 'out', 'continued.zip'))), 'continued.zip');
}

/** The largest |a - b| over the epochs both histories hold, per log key. */
export function worstDifference(
  a: { epoch: number[]; history: Record<string, number[]> },
  b: { epoch: number[]; history: Record<string, number[]> },
  epochs: number[],
  keys: string[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) {
    out[k] = Math.max(
      ...epochs.map((e) => Math.abs(a.history[k][a.epoch.indexOf(e)] - b.history[k][b.epoch.indexOf(e)])),
    );
  }
  return out;
}
