/**
 * fit, evaluate and predict. One training step: the forward pass and loss run once under
 * valueAndGrad over the trainable weights; the loss is read back and checked before the optimizer
 * update and the layers' state updates (moving statistics) are applied, so a non-finite step
 * leaves every weight as it was. Between batches fit yields to the event loop, so a page stays
 * responsive, and it stops after the current batch when `model.stopTraining` is set or `signal`
 * aborts.
 */
import { InvalidArgumentError } from '../../errors';
import { valueAndGrad } from '../../graph/autodiff';
import { concat, div, mean, mul, sum } from '../../graph/ops/index';
import { Random, streamKey } from '../../graph/random';
import type { Tensor } from '../../graph/tensor';
import { type Callback, CallbackList, type Logs } from '../callbacks/callback';
import { History } from '../callbacks/history';
import { ProgressLogger } from '../callbacks/progress-logger';
import type { StateUpdate } from '../layers/layer';
import type { HostTensor } from '../metric';
import {
  assertFinite,
  assertInputShape,
  classSampleWeights,
  hostRows,
  type ModelInput,
  prepareLabels,
  takeRows,
  toHost,
} from './data';
import type { Compiled, Sequential } from './sequential';

export interface FitOptions {
  /** Default 1. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** The last fraction of the samples (before shuffling), held out for validation, as in Keras. */
  validationSplit?: number;
  validationData?: [ModelInput, ModelInput];
  /** Reshuffle the training samples every epoch (default true). */
  shuffle?: boolean;
  /** Seeds shuffling and dropout masks (default: the model's seed). */
  seed?: number;
  /** Loss weight per class index, e.g. { 0: 1, 1: 5 } for a rare class 1. */
  classWeight?: Record<number, number>;
  callbacks?: Callback[];
  /** 0 silent (default), 1 a line per epoch on the console. */
  verbose?: number;
  /** The epoch to start from when resuming (default 0). */
  initialEpoch?: number;
  /** Aborting stops training after the current batch; the epoch in progress is not recorded. */
  signal?: AbortSignal;
}

export interface EvaluateOptions {
  batchSize?: number;
}

export interface PredictOptions {
  batchSize?: number;
}

/** Lets the browser paint and handle input between batches (a macrotask, not a microtask). */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function positiveInteger(what: string, v: number): number {
  if (!Number.isInteger(v) || v < 1)
    throw new InvalidArgumentError(`${what} must be a positive integer, received ${v}`);
  return v;
}

/** The batch's loss: per-sample losses averaged over the batch, each weighted when weights are given. */
function reduceLoss(perSample: Tensor, weights: Tensor | null): Tensor {
  return weights ? div(sum(mul(perSample, weights)), perSample.shape[0]) : mean(perSample);
}

/** Host inputs checked against the model (built here from x when needed) and the loss. */
async function prepareData(
  model: Sequential,
  compiled: Compiled,
  method: string,
  x: ModelInput,
  y: ModelInput,
) {
  const xh = await toHost(`${method}(x)`, x);
  const yh = await toHost(`${method}(y)`, y);
  if (!model.built && xh.shape.length > 1) model.build(xh.shape.slice(1));
  assertInputShape(`${method}(x)`, xh, model.inputShape!);
  assertFinite(`${method}(x)`, xh);
  assertFinite(`${method}(y)`, yh);
  const labels = prepareLabels(`${method}(y)`, yh, xh.shape[0], model.outputShape, compiled.loss.config);
  return { x: xh, y: labels };
}

interface StepResult {
  loss: Tensor;
  yPred: Tensor;
  /** Applies the optimizer update and the layers' state updates. */
  commit(): void;
}

function trainStep(
  model: Sequential,
  compiled: Compiled,
  xb: Tensor,
  yb: Tensor,
  wb: Tensor | null,
  seed: number,
): StepResult {
  const variables = model.trainableVariables;
  const current = variables.map((v) => v.value);
  const updates: StateUpdate[] = [];
  let yPred: Tensor | null = null;
  const ctx = { training: true, step: compiled.optimizer.iterations, seed, updates };
  // valueAndGrad differentiates with respect to its arguments: the layers must read the traced
  // copies, so they are swapped in for the forward pass and the originals put back after.
  const lossOf = (...traced: Tensor[]): Tensor => {
    variables.forEach((v, i) => {
      v.value = traced[i];
    });
    try {
      yPred = model.apply(xb, ctx);
      return reduceLoss(compiled.loss.perSample(yb, yPred), wb);
    } finally {
      variables.forEach((v, i) => {
        v.value = current[i];
      });
    }
  };
  const { value, grads } = valueAndGrad(lossOf)(...current);
  return {
    loss: value,
    yPred: yPred!,
    commit() {
      compiled.optimizer.applyGradients(variables, grads);
      for (const u of updates) u.variable.value = u.value;
    },
  };
}

function hostOf(t: Tensor, data: Float32Array): HostTensor {
  return { data, shape: [...t.shape] };
}

async function updateMetrics(compiled: Compiled, yb: Tensor, yPred: Tensor): Promise<void> {
  if (compiled.metrics.length === 0) return;
  const [t, p] = await Promise.all([yb.data(), yPred.data()]);
  for (const m of compiled.metrics) m.update(hostOf(yb, t), hostOf(yPred, p));
}

function metricLogs(compiled: Compiled, prefix = ''): Logs {
  return Object.fromEntries(compiled.metrics.map((m) => [prefix + m.name, m.result()]));
}

/** Loss and metrics over host data in inference mode. */
async function evaluateHost(
  model: Sequential,
  compiled: Compiled,
  x: HostTensor,
  y: HostTensor,
  batchSize: number,
): Promise<Logs> {
  for (const m of compiled.metrics) m.reset();
  const n = x.shape[0];
  let lossSum = 0;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(start + batchSize, n);
    const xb = takeRows(x, start, end);
    const yb = takeRows(y, start, end);
    const yPred = model.apply(xb, { training: false });
    lossSum += (await reduceLoss(compiled.loss.perSample(yb, yPred), null).item()) * (end - start);
    await updateMetrics(compiled, yb, yPred);
    await yieldToEventLoop();
  }
  return { loss: lossSum / n, ...metricLogs(compiled) };
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
  const outputs: Tensor[] = [];
  for (let start = 0; start < xh.shape[0]; start += batchSize) {
    outputs.push(
      model.apply(takeRows(xh, start, Math.min(start + batchSize, xh.shape[0])), { training: false }),
    );
    if (start + batchSize < xh.shape[0]) await yieldToEventLoop();
  }
  return outputs.length === 1 ? outputs[0] : concat(outputs, 0);
}

function checkFitOptions(o: FitOptions): void {
  positiveInteger('fit(epochs)', o.epochs ?? 1);
  positiveInteger('fit(batchSize)', o.batchSize ?? 32);
  const split = o.validationSplit ?? 0;
  if (!(split >= 0 && split < 1)) {
    throw new InvalidArgumentError(`fit(validationSplit) must be in [0, 1), received ${o.validationSplit}`);
  }
  if (split > 0 && o.validationData) {
    throw new InvalidArgumentError('fit: give validationSplit or validationData, not both');
  }
  const initial = o.initialEpoch ?? 0;
  if (!Number.isInteger(initial) || initial < 0) {
    throw new InvalidArgumentError(
      `fit(initialEpoch) must be a non-negative integer, received ${o.initialEpoch}`,
    );
  }
  if (o.seed !== undefined && !Number.isInteger(o.seed)) {
    throw new InvalidArgumentError(`fit(seed) must be an integer, received ${o.seed}`);
  }
}

export async function fitModel(
  model: Sequential,
  x: ModelInput,
  y: ModelInput,
  o: FitOptions,
): Promise<History> {
  const compiled = model.requireCompiled('fit');
  checkFitOptions(o);
  const { epochs = 1, batchSize = 32, initialEpoch = 0, shuffle = true, verbose = 0 } = o;
  const seed = o.seed ?? model.seed;
  const all = await prepareData(model, compiled, 'fit', x, y);
  let train = all;
  let validation: { x: HostTensor; y: HostTensor } | null = null;
  if (o.validationData) {
    validation = await prepareData(model, compiled, 'fit(validationData)', ...o.validationData);
  } else if (o.validationSplit) {
    const n = all.x.shape[0];
    const cut = n - Math.floor(n * o.validationSplit);
    if (cut === n || cut === 0) {
      throw new InvalidArgumentError(
        `fit(validationSplit=${o.validationSplit}): ${n} samples leave ${n - cut} for validation and ${cut} for training; both need at least one`,
      );
    }
    train = { x: hostRows(all.x, 0, cut), y: hostRows(all.y, 0, cut) };
    validation = { x: hostRows(all.x, cut, n), y: hostRows(all.y, cut, n) };
  }
  const weights = o.classWeight ? classSampleWeights(o.classWeight, train.y, compiled.loss.config) : null;
  const samples = train.x.shape[0];
  const steps = Math.ceil(samples / batchSize);

  const history = new History();
  const callbacks = new CallbackList([
    ...(o.callbacks ?? []),
    ...(verbose > 0 ? [new ProgressLogger()] : []),
    history,
  ]);
  const metricKeys = ['loss', ...compiled.metrics.map((m) => m.name)];
  callbacks.configure(model, {
    epochs,
    initialEpoch,
    steps,
    samples,
    batchSize,
    verbose,
    metrics: validation ? [...metricKeys, ...metricKeys.map((k) => `val_${k}`)] : metricKeys,
  });
  model.stopTraining = false;
  const aborted = () => o.signal?.aborted === true;
  await callbacks.trainBegin({});
  let lastLogs: Logs = {};
  for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining && !aborted(); epoch++) {
    await callbacks.epochBegin(epoch, {});
    for (const m of compiled.metrics) m.reset();
    const order = shuffle ? new Random(streamKey(seed, epoch)).permutation(samples) : undefined;
    let lossSum = 0;
    let seen = 0;
    for (let batch = 0; batch < steps; batch++) {
      await yieldToEventLoop();
      if (model.stopTraining || aborted()) break;
      const start = batch * batchSize;
      const end = Math.min(start + batchSize, samples);
      await callbacks.batchBegin(batch, { batch, size: end - start });
      const xb = takeRows(train.x, start, end, order);
      const yb = takeRows(train.y, start, end, order);
      const wb = weights ? takeRows({ data: weights, shape: [samples] }, start, end, order) : null;
      const step = trainStep(model, compiled, xb, yb, wb, seed);
      const loss = await step.loss.item();
      if (!Number.isFinite(loss)) {
        history.error =
          `fit: the loss became ${loss} at epoch ${epoch}, batch ${batch}; training stopped and the ` +
          'weights from before that step were kept (try a lower learning rate, gradient clipping, or check the data)';
        model.stopTraining = true;
        break;
      }
      step.commit();
      lossSum += loss * (end - start);
      seen += end - start;
      await updateMetrics(compiled, yb, step.yPred);
      await callbacks.batchEnd(batch, {
        batch,
        size: end - start,
        loss: lossSum / seen,
        ...metricLogs(compiled),
      });
    }
    if (seen === 0 || aborted() || history.error) break;
    const logs: Logs = { loss: lossSum / seen, ...metricLogs(compiled) };
    if (validation) {
      const val = await evaluateHost(model, compiled, validation.x, validation.y, batchSize);
      for (const [k, v] of Object.entries(val)) logs[`val_${k}`] = v;
    }
    await callbacks.epochEnd(epoch, logs);
    lastLogs = logs;
  }
  history.stopped = model.stopTraining || aborted() || history.error !== null;
  await callbacks.trainEnd(lastLogs);
  return history;
}
