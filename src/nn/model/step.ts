/**
 * One training step and what fit, evaluate and predict share. The step runs the forward pass and
 * loss once under valueAndGrad over the trainable weights; the caller reads the loss back and
 * only then commits the optimizer update and the layers' state updates (moving statistics), so a
 * non-finite step leaves every weight as it was.
 */
import { InvalidArgumentError } from '../../errors';
import { valueAndGrad } from '../../graph/autodiff';
import { div, mean, mul, sum } from '../../graph/ops/index';
import { readTensors } from '../../graph/read-tensors';
import type { Tensor } from '../../graph/tensor';
import type { LayerVariable, StateUpdate } from '../layers/layer';
import { type HostTensor, metricResults } from '../metric';
import type { Logs } from './callback';
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

/**
 * The longest fit runs batches without yielding to the event loop. A yield is a task (tens of
 * microseconds in a browser); a tiny model's batch on the CPU takes about as long, so a yield per
 * batch cost it much of its speed. Every few milliseconds a message (Stop, Pause) or a frame
 * waits no longer than that, and a model whose batches take longer yields after each one.
 */
export const YIELD_EVERY_MS = 4;

/** A function that yields to the event loop when `everyMs` of work have passed since the last yield (and at its first call). */
export function yieldEvery(everyMs = YIELD_EVERY_MS): () => Promise<void> | undefined {
  let last = Number.NEGATIVE_INFINITY;
  return () => {
    if (performance.now() - last < everyMs) return undefined;
    return yieldToEventLoop().then(() => {
      last = performance.now();
    });
  };
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
   * The optimizer update and the layers' state updates as values, changing nothing: each
   * variable's next value (trainable ones and moving statistics; the others are unchanged) and
   * the optimizer's next slots. `scalars` replace the optimizer's host-computed step scalars (a
   * traced step passes its inputs).
   */
  next(scalars?: readonly Tensor[]): { values: Map<LayerVariable, Tensor>; slots: Map<string, Tensor> };
  /** Applies the update to the model's variables and its optimizer (the eager path). */
  commit(): void;
}

/**
 * The weights and optimizer slots a step is computed from, in place of the model's own (a traced
 * step's state inputs): nothing of the model is changed to trace it.
 */
export interface StepState {
  readonly weights: ReadonlyMap<LayerVariable, Tensor>;
  readonly slots: ReadonlyMap<string, Tensor>;
}

export function trainStep(
  model: Sequential,
  compiled: Compiled,
  xb: Tensor,
  yb: Tensor,
  wb: Tensor | null,
  seed: number,
  state: StepState | null = null,
): StepResult {
  const variables = model.trainableVariables;
  const current = variables.map((v) => state?.weights.get(v) ?? v.value);
  const updates: StateUpdate[] = [];
  let yPred: Tensor | null = null;
  const ctx = { training: true, step: compiled.optimizer.iterations, seed, updates };
  // valueAndGrad differentiates with respect to its arguments: the layers read the tracked copies
  // through the call's weights.
  const lossOf = (...tracked: Tensor[]): Tensor => {
    const weights = new Map(state?.weights);
    variables.forEach((v, i) => {
      weights.set(v, tracked[i]);
    });
    yPred = model.apply(xb, { ...ctx, weights });
    return reduceLoss(compiled.loss.perSample(yb, yPred), wb);
  };
  const { value, grads } = valueAndGrad(lossOf)(...current);
  return {
    loss: value,
    yPred: yPred!,
    next(scalars) {
      const slots = state?.slots ?? compiled.optimizer.getState().slots;
      const named = variables.map((v, i) => ({ name: v.name, value: current[i] }));
      const update = compiled.optimizer.update(named, grads, slots, scalars);
      const values = new Map(variables.map((v, i) => [v, update.values[i]]));
      for (const u of updates) values.set(u.variable, u.value);
      return { values, slots: update.slots };
    },
    commit() {
      compiled.optimizer.applyGradients(variables, grads);
      for (const u of updates) u.variable.value = u.value;
    },
  };
}

function hostOf(t: Tensor, data: Float32Array): HostTensor {
  return { data, shape: [...t.shape] };
}

export async function updateMetrics(compiled: Compiled, yb: Tensor, yPred: Tensor): Promise<void> {
  if (compiled.metrics.length === 0) return;
  const [t, p] = await readTensors([yb, yPred]);
  for (const m of compiled.metrics) m.update(hostOf(yb, t), hostOf(yPred, p));
}

/** Epoch logs, or running batch logs when inBatch (see metricResults for left-out values). */
export function metricLogs(compiled: Compiled, prefix = '', inBatch = false): Logs {
  return metricResults(compiled.metrics, { prefix, inBatch });
}
