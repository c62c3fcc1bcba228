/**
 * evaluate and predict: inference mode (Dropout off, BatchNormalization on its moving statistics),
 * on compiled inference steps (inference.ts), or op by op where the forward pass cannot be traced.
 */
import { InvalidArgumentError } from '../../errors';
import { tensor } from '../../graph/engine';
import { concat } from '../../graph/ops/index';
import { sizeOf } from '../../graph/shape';
import type { Tensor } from '../../graph/tensor';
import type { HostTensor } from '../metric';
import type { Logs } from './callback';
import { assertFinite, assertInputShape, type ModelInput, takeRows, toHost } from './data';
import { runInference } from './inference';
import type { Compiled, Sequential } from './sequential';
import {
  metricLogs,
  positiveInteger,
  prepareData,
  reduceLoss,
  updateMetrics,
  yieldToEventLoop,
} from './step';

export interface EvaluateOptions {
  batchSize?: number;
  /**
   * Resolve with the logs by name ({ loss, accuracy, ... }, an undefined metric left out) instead of
   * Keras's scalar (no metrics) or array in `model.metricsNames` order.
   */
  returnDict?: boolean;
}

export interface PredictOptions {
  batchSize?: number;
}

/** Loss and metrics over host data in inference mode, keys prefixed (fit's `val_`). */
export async function evaluateHost(
  model: Sequential,
  compiled: Compiled,
  x: HostTensor,
  y: HostTensor,
  batchSize: number,
  prefix = '',
): Promise<Logs> {
  for (const m of compiled.metrics) m.reset();
  const n = x.shape[0];
  let lossSum = 0;
  const labelRow = sizeOf(y.shape.slice(1));
  const compiledRun = await runInference(model, compiled, x, y, batchSize, (start, rows, [loss, yPred]) => {
    lossSum += loss[0] * rows;
    if (!yPred) return;
    const yTrue = {
      data: y.data.subarray(start * labelRow, (start + rows) * labelRow),
      shape: [rows, ...y.shape.slice(1)],
    };
    for (const m of compiled.metrics) m.update(yTrue, { data: yPred, shape: [rows, ...model.outputShape] });
  });
  if (!compiledRun) {
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(start + batchSize, n);
      const xb = takeRows(x, start, end);
      const yb = takeRows(y, start, end);
      const yPred = model.apply(xb, { training: false });
      lossSum += (await reduceLoss(compiled.loss.perSample(yb, yPred), null).item()) * (end - start);
      await updateMetrics(compiled, yb, yPred);
      await yieldToEventLoop();
    }
  }
  return { [`${prefix}loss`]: lossSum / n, ...metricLogs(compiled, prefix) };
}

export async function evaluateModel(
  model: Sequential,
  x: ModelInput,
  y: ModelInput,
  options: EvaluateOptions,
): Promise<Logs> {
  const compiled = model.requireCompiled('evaluate');
  const batchSize = positiveInteger('evaluate(batchSize)', options.batchSize ?? 32);
  const data = await prepareData(model, compiled, 'evaluate', x, y);
  return evaluateHost(model, compiled, data.x, data.y, batchSize);
}

export async function predictModel(
  model: Sequential,
  x: ModelInput,
  options: PredictOptions,
): Promise<Tensor> {
  const batchSize = positiveInteger('predict(batchSize)', options.batchSize ?? 32);
  const xh = await toHost('predict(x)', x);
  if (!model.built && xh.shape.length > 1) model.build(xh.shape.slice(1));
  if (!model.inputShape)
    throw new InvalidArgumentError(`predict(x): expected a batch of samples, received shape [${xh.shape}]`);
  assertInputShape('predict(x)', xh, model.inputShape);
  assertFinite('predict(x)', xh);
  const n = xh.shape[0];
  const outRow = sizeOf(model.outputShape);
  const predicted = new Float32Array(n * outRow);
  const compiledRun = await runInference(
    model,
    model.compiled,
    xh,
    null,
    batchSize,
    (start, _rows, [yPred]) => {
      predicted.set(yPred, start * outRow);
    },
  );
  if (compiledRun) return tensor(predicted, [n, ...model.outputShape]);
  const outputs: Tensor[] = [];
  for (let start = 0; start < n; start += batchSize) {
    outputs.push(model.apply(takeRows(xh, start, Math.min(start + batchSize, n)), { training: false }));
    if (start + batchSize < n) await yieldToEventLoop();
  }
  return outputs.length === 1 ? outputs[0] : concat(outputs, 0);
}

/**
 * The logs an epoch ends with, on either fit path (eager or planned): the mean training loss, the
 * compiled metrics accumulated over the epoch, then the validation loss and metrics as `val_`.
 */
export async function epochEndLogs(
  model: Sequential,
  compiled: Compiled,
  validation: { x: HostTensor; y: HostTensor } | null,
  batchSize: number,
  meanLoss: number,
): Promise<Logs> {
  const logs: Logs = { loss: meanLoss, ...metricLogs(compiled) };
  if (validation)
    Object.assign(logs, await evaluateHost(model, compiled, validation.x, validation.y, batchSize, 'val_'));
  return logs;
}
