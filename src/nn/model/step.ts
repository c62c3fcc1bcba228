/**
 * One training step and what fit, evaluate and predict share. The step runs the forward pass and
 * loss once under valueAndGrad over the trainable weights; the caller reads the loss back and
 * only then commits the optimizer update and the layers' state updates (moving statistics), so a
 * non-finite step leaves every weight as it was.
 */
import { InvalidArgumentError } from '../../errors';
import { valueAndGrad } from '../../graph/autodiff';
import { div, mean, mul, sum } from '../../graph/ops/index';
import type { Tensor } from '../../graph/tensor';
import type { Logs } from '../callbacks/callback';
import type { StateUpdate } from '../layers/layer';
import { type HostTensor, metricResults } from '../metric';
import { assertFinite, assertInputShape, type ModelInput, prepareLabels, toHost } from './data';
import type { Compiled, Sequential } from './sequential';

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

/** How far past its lowest a batch loss may grow before fit calls the run diverged (epoch.ts). */
export const DIVERGENCE_FACTOR = 1000;

/** history.error when a step's loss is NaN or infinite (fit goes back to the last-good state). */
export function nonFiniteLossMessage(loss: number, epoch: number, batch: number): string {
  return (
    `fit: the loss became ${loss} at epoch ${epoch}, batch ${batch}; training stopped and the model ` +
    'was put back to its last-good state, the last completed epoch (try a lower learning rate, ' +
    'gradient clipping, or check the data)'
  );
}

export function positiveInteger(what: string, v: number): number {
  if (!Number.isInteger(v) || v < 1)
    throw new InvalidArgumentError(`${what} must be a positive integer, received ${v}`);
  return v;
}

/** The batch's loss: per-sample losses averaged over the batch, each weighted when weights are given. */
export function reduceLoss(perSample: Tensor, weights: Tensor | null): Tensor {
  return weights ? div(sum(mul(perSample, weights)), perSample.shape[0]) : mean(perSample);
}

/** Host inputs checked against the model (built here from x when needed) and the loss. */
export async function prepareData(
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

export interface StepResult {
  loss: Tensor;
  yPred: Tensor;
  /**
   * Applies the optimizer update and the layers' state updates; `scalars` replace the optimizer's
   * host-computed step scalars (a planned step passes its inputs).
   */
  commit(scalars?: readonly Tensor[]): void;
}

export function trainStep(
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
    commit(scalars) {
      compiled.optimizer.applyGradients(variables, grads, scalars);
      for (const u of updates) u.variable.value = u.value;
    },
  };
}

function hostOf(t: Tensor, data: Float32Array): HostTensor {
  return { data, shape: [...t.shape] };
}

export async function updateMetrics(compiled: Compiled, yb: Tensor, yPred: Tensor): Promise<void> {
  if (compiled.metrics.length === 0) return;
  const [t, p] = await Promise.all([yb.data(), yPred.data()]);
  for (const m of compiled.metrics) m.update(hostOf(yb, t), hostOf(yPred, p));
}

/** Epoch logs, or running batch logs when inBatch (see metricResults for left-out values). */
export function metricLogs(compiled: Compiled, prefix = '', inBatch = false): Logs {
  return metricResults(compiled.metrics, { prefix, inBatch });
}
