/**
 * The Worker's training request for a dataset and a model as the page has them: the splits as
 * arrays, the model's JSON, the optimizer, loss and metrics for the task, the fit settings, and
 * the context a trained model keeps to predict on CSV rows later.
 */
import type { PreparedArrays } from '../../data/index';
import type { BackendRequest, TrainRequest, XY } from '../../worker/protocol';
import type { ModelState } from './model-state';
import { type AppContext, appMetadata } from './trained-model';

type Split = PreparedArrays['train'];

function xy(d: PreparedArrays, s: Split): XY {
  // Copies: the worker takes ownership of the buffers it is sent.
  return {
    x: { data: s.xData.slice(), shape: [s.rows, d.inputSize] },
    y: { data: s.yData.slice(), shape: d.task === 'classification' ? [s.rows] : [s.rows, 1] },
  };
}

/** Class weights inversely proportional to class frequency in the training split (Keras's 'balanced'). */
export function balancedClassWeights(labels: Float32Array, classes: number): Record<number, number> {
  const counts = new Array<number>(classes).fill(0);
  for (const v of labels) counts[v]++;
  const weights: Record<number, number> = {};
  counts.forEach((n, c) => {
    if (n > 0) weights[c] = labels.length / (classes * n);
  });
  return weights;
}

/** The request and context for training `model` on `dataset`; null when the model does not build. */
export function trainRequest(
  dataset: PreparedArrays,
  model: ModelState,
  backend: BackendRequest,
): { request: TrainRequest; context: AppContext } | null {
  const json = model.modelJson();
  if (!json) return null;
  const s = model.settings;
  const classification = dataset.task === 'classification';
  const classes = dataset.classNames?.length ?? 0;
  const steps = Math.ceil(dataset.train.rows / s.batchSize);
  const context: AppContext = {
    source: dataset.schema.source,
    task: dataset.task,
    classNames: dataset.classNames,
    inputSize: dataset.inputSize,
    preprocessor: dataset.preprocessor.toJSON(),
  };
  const request: TrainRequest = {
    type: 'train',
    runId: `run-${Date.now().toString(36)}`,
    backend,
    model: json,
    optimizer: model.optimizerJson(steps * s.epochs),
    loss: classification ? 'sparseCategoricalCrossentropy' : 'meanSquaredError',
    metrics: classification ? (classes === 2 ? ['accuracy', 'f1', 'auc'] : ['accuracy', 'f1']) : ['mae'],
    train: xy(dataset, dataset.train),
    validation: dataset.validation.rows > 0 ? xy(dataset, dataset.validation) : null,
    evaluate: dataset.test.rows > 0 ? xy(dataset, dataset.test) : null,
    fit: {
      epochs: s.epochs,
      batchSize: s.batchSize,
      seed: s.seed,
      ...(classification && s.balanceClasses
        ? { classWeight: balancedClassWeights(dataset.train.yData, classes) }
        : {}),
    },
    ...(s.patience > 0 ? { earlyStopping: { patience: s.patience } } : {}),
    metadata: appMetadata(context),
  };
  return { request, context };
}
