/**
 * The page's side of "Continue in PyTorch": the bundle of the current run (its last epoch's
 * state, fit settings, early-stopping settings, preprocessing and the table rows it used), the
 * encoded CSV of the dataset, and a bundle the PyTorch script wrote read back as the current
 * model, resumable here with the dataset that is loaded.
 */
import type { PreparedArrays, SplitArrays } from '../../data/index';
import { encodedCsv } from '../../export/encoded-csv';
import {
  exportTrainingBundle,
  type ReadTrainingBundle,
  readTrainingBundle,
} from '../../export/training-bundle';
import { restoreTrainingState } from '../../io/checkpoint';
import { WeightsFileError } from '../../io/errors';
import { EarlyStopping } from '../../nn/callbacks/early-stopping';
import type { BackendRequest, TrainRequest } from '../../worker/protocol';
import type { DataState } from './data-state';
import type { RunState } from './run-state';
import { APP_CONTEXT_KEY, type AppContext, type TrainedModel, trainedModelFromFile } from './trained-model';

const samePreprocessing = (d: PreparedArrays | null, c: AppContext | null) =>
  !!d && !!c && JSON.stringify(d.preprocessor.toJSON()) === JSON.stringify(c.preprocessor);

/** Data rows of the table the dataset came from (rows dropped for a missing target included). */
function tableRows(d: PreparedArrays): number {
  const { missingTarget, missingValues, droppedClasses } = d.dropped;
  return d.train.rows + d.validation.rows + d.test.rows + missingTarget + missingValues + droppedClasses;
}

/** The zip for `python3 model.py train`, from the run's last completed epoch. */
export async function runBundle(run: RunState, data: DataState | undefined): Promise<Uint8Array> {
  const state = run.lastState;
  const request = run.request;
  if (!state || !request)
    throw new Error('train a model first: the bundle continues a run from its last epoch');
  const { model } = restoreTrainingState(state, { loss: request.loss, metrics: request.metrics });
  const context = run.context;
  const prepared = data?.prepared ?? null;
  const split = samePreprocessing(prepared, context)
    ? {
        rows: tableRows(prepared!),
        train: prepared!.train.rowIndices,
        validation: prepared!.validation.rowIndices,
        test: prepared!.test.rowIndices,
      }
    : undefined;
  const earlyStopping = request.earlyStopping
    ? new EarlyStopping({
        monitor: request.validation ? 'val_loss' : 'loss',
        patience: request.earlyStopping.patience,
        restoreBestWeights: true,
      })
    : null;
  return exportTrainingBundle(model, state, context?.preprocessor ?? null, {
    fit: { ...request.fit, shuffle: true },
    ...(earlyStopping ? { callbacks: [earlyStopping] } : {}),
    ...(split ? { split } : {}),
    name: context?.source ?? model.name,
  });
}

/**
 * Every row the dataset kept (train, validation and test, in table order), encoded as the model
 * takes it; the target as it trains on it. Built from the prepared splits: the table itself stays
 * in the dataset Worker.
 */
export function datasetEncodedCsv(data: DataState): string {
  const prepared = data.prepared;
  if (!prepared) throw new Error('load a dataset first');
  const splits = [prepared.train, prepared.validation, prepared.test];
  const order = splits
    .flatMap((s, k) => Array.from(s.rowIndices, (row, i) => ({ row, k, i })))
    .sort((a, b) => a.row - b.row);
  const width = prepared.inputSize;
  const yWidth = prepared.train.rows > 0 ? prepared.train.yData.length / prepared.train.rows : 1;
  const xData = new Float32Array(order.length * width);
  const yData = new Float32Array(order.length * yWidth);
  order.forEach(({ k, i }, r) => {
    xData.set(splits[k].xData.subarray(i * width, (i + 1) * width), r * width);
    yData.set(splits[k].yData.subarray(i * yWidth, (i + 1) * yWidth), r * yWidth);
  });
  // "(encoded)" tells model.py the file is encoded even where feature and raw column names agree.
  const target = `${prepared.preprocessor.target?.column ?? 'target'} (encoded)`;
  // Rows dropped before the split (a missing target) are not here: (row) keeps the table's numbering.
  return encodedCsv(
    prepared.featureNames,
    xData,
    yData,
    target,
    Int32Array.from(order, (o) => o.row),
  );
}

export interface LoadedBundle {
  model: TrainedModel;
  bundle: ReadTrainingBundle;
}

/** A bundle file (ours, or the PyTorch script's continued.zip), checked as far as a resume would check it. */
export function loadBundleFile(bytes: Uint8Array, fileName: string): LoadedBundle {
  const bundle = readTrainingBundle(bytes, fileName);
  restoreTrainingState(bundle.state, { fileName }); // validates weights, slots and history now
  const model = trainedModelFromFile(bundle.state.weights, `${fileName}: weights.safetensors`);
  return { model, bundle };
}

/**
 * Resumes a loaded bundle in the page on the dataset that is loaded, which must be the one the
 * run was trained on (the same preprocessing), for `epochs` more epochs.
 */
export function resumeBundle(
  run: RunState,
  data: DataState | undefined,
  loaded: LoadedBundle,
  epochs: number,
  backend: BackendRequest,
): void {
  const { model, bundle } = loaded;
  const context = model.context;
  const prepared = data?.prepared ?? null;
  if (!context || !samePreprocessing(prepared, context)) {
    throw new WeightsFileError(
      'bundle',
      `to train it here, load the dataset it was trained on (${context?.source ?? 'unknown'}) with the same columns and settings`,
    );
  }
  const training = JSON.parse(model.metadata.training_config ?? 'null') as {
    loss: TrainRequest['loss'];
    metrics: string[];
  } | null;
  const d = prepared!;
  const xy = (s: SplitArrays) => ({
    x: { data: s.xData.slice(), shape: [s.rows, d.inputSize] },
    y: { data: s.yData.slice(), shape: d.task === 'classification' ? [s.rows] : [s.rows, 1] },
  });
  const es = bundle.callbacks.earlyStopping;
  const request: TrainRequest = {
    type: 'train',
    runId: `run-${Date.now().toString(36)}`,
    backend,
    model: model.model,
    optimizer: bundle.state.optimizerState.optimizer,
    loss: training?.loss ?? 'sparseCategoricalCrossentropy',
    metrics: training?.metrics ?? [],
    train: xy(d.train),
    validation: d.validation.rows > 0 ? xy(d.validation) : null,
    evaluate: d.test.rows > 0 ? xy(d.test) : null,
    fit: { ...bundle.fit, epochs: bundle.state.epoch + epochs },
    ...(es ? { earlyStopping: { patience: es.patience } } : {}),
    metadata: { [APP_CONTEXT_KEY]: JSON.stringify(context) },
  };
  run.resumeFrom(bundle.state, request, context);
}
