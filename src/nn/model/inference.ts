/**
 * evaluate and predict on a compiled step program: the model's forward pass in inference mode
 * (and, for evaluate, the batch's mean loss) traced once per batch size and compiled by the
 * model's backend, with the weights as inputs copied in on the device once per call. The steps
 * are kept with the model while its variables, compile() objects, backend and sample shapes are
 * the same, like the training step (executor.ts). Batches are issued up to the backend's
 * pipelining depth ahead of the one being read.
 */
import type { Backend } from '../../graph/backend';
import { currentBackend } from '../../graph/engine';
import type { CompiledStep } from '../../graph/program/compiled-step';
import type { Program } from '../../graph/program/program';
import { traceProgram } from '../../graph/program/trace';
import type { Shape } from '../../graph/shape';
import type { Tensor } from '../../graph/tensor';
import type { HostTensor } from '../metric';
import { gatherRows } from './data';
import type { Compiled, Sequential } from './sequential';
import { reduceLoss, yieldToEventLoop } from './step';

/** What the steps compute: the loss and predictions (evaluate), or predictions only (predict). */
type Mode = 'evaluate' | 'predict';

class InferenceSteps {
  private readonly steps = new Map<number, CompiledStep>();
  readonly variables;

  constructor(
    readonly backend: Backend,
    private readonly model: Sequential,
    readonly compiled: Compiled | null,
    readonly mode: Mode,
    readonly signature: string,
  ) {
    this.variables = model.variables;
  }

  get outputs(): string[] {
    return this.mode === 'predict'
      ? ['yPred']
      : this.compiled!.metrics.length > 0
        ? ['loss', 'yPred']
        : ['loss'];
  }

  stepFor(rows: number, xShape: Shape, yShape: Shape): CompiledStep {
    let step = this.steps.get(rows);
    if (!step) {
      const first = this.steps.values().next().value;
      step = this.backend.compile(this.trace(rows, xShape, yShape), {
        reads: this.outputs,
        shareStateWith: first,
      });
      this.steps.set(rows, step);
    }
    return step;
  }

  private trace(rows: number, xShape: Shape, yShape: Shape): Program {
    const { model, variables } = this;
    const inputs = [
      { name: 'x', shape: [rows, ...xShape] },
      ...(this.mode === 'evaluate' ? [{ name: 'y', shape: [rows, ...yShape] }] : []),
      ...variables.map((v) => ({ name: v.name, shape: v.shape })),
    ];
    return traceProgram(
      { inputs, state: [] },
      (input) => {
        // The program reads its weights from its inputs; the model's variables stay as they are.
        const weights = new Map(variables.map((v) => [v, input.get(v.name)!]));
        const yPred = model.apply(input.get('x')!, { training: false, weights });
        const outputs: [string, Tensor][] = [['yPred', yPred]];
        if (this.mode === 'evaluate')
          outputs.unshift(['loss', reduceLoss(this.compiled!.loss.perSample(input.get('y')!, yPred), null)]);
        return { outputs, state: new Map() };
      },
      this.backend,
    );
  }

  /** Copies the model's current weights into every step's inputs. */
  loadWeights(): void {
    const weights = new Map(this.variables.map((v) => [v.name, v.value]));
    for (const step of this.steps.values()) step.assign(weights);
  }

  get compiledSteps(): Map<number, CompiledStep> {
    return this.steps;
  }

  destroy(): void {
    for (const step of this.steps.values()) step.destroy();
    this.steps.clear();
  }
}

const kept = new WeakMap<Sequential, Map<Mode, InferenceSteps>>();
const release = new FinalizationRegistry<Map<number, CompiledStep>>((steps) => {
  for (const step of steps.values()) step.destroy();
});

function stepsFor(
  model: Sequential,
  compiled: Compiled | null,
  mode: Mode,
  signature: string,
): InferenceSteps {
  const backend = model.variables[0]?.value.backend ?? currentBackend();
  const byMode = kept.get(model) ?? new Map<Mode, InferenceSteps>();
  kept.set(model, byMode);
  const old = byMode.get(mode);
  const variables = model.variables;
  if (
    old &&
    old.backend === backend &&
    old.compiled === compiled &&
    old.signature === signature &&
    old.variables.length === variables.length &&
    old.variables.every((v, j) => v === variables[j])
  )
    return old;
  if (old) {
    release.unregister(old);
    old.destroy();
  }
  const steps = new InferenceSteps(backend, model, compiled, mode, signature);
  release.register(model, steps.compiledSteps, steps);
  byMode.set(mode, steps);
  return steps;
}

/** Drops the model's kept inference steps (after a device loss; freeing them may fail, unheeded). */
export function forgetInferenceSteps(model: Sequential): void {
  for (const steps of kept.get(model)?.values() ?? []) {
    release.unregister(steps);
    try {
      steps.destroy();
    } catch {
      // Their device is gone.
    }
  }
  kept.delete(model);
}

/** Per batch: its first row, its rows, and what the step read back (in `outputs` order). */
export type BatchResult = (start: number, rows: number, values: Float32Array[]) => void;

/**
 * Runs the model over `x` (and `y` for evaluate) in batches on compiled inference steps, calling
 * `each` for every batch in order. Returns false, having run nothing, when the forward pass
 * cannot be traced (a layer captures a tensor the tracer cannot take in): the caller runs eagerly.
 */
export async function runInference(
  model: Sequential,
  compiled: Compiled | null,
  x: HostTensor,
  y: HostTensor | null,
  batchSize: number,
  each: BatchResult,
): Promise<boolean> {
  const mode: Mode = y ? 'evaluate' : 'predict';
  const xShape = x.shape.slice(1);
  const yShape = y ? y.shape.slice(1) : [];
  const signature = JSON.stringify([xShape, yShape, model.variables.map((v) => [v.name, v.shape])]);
  const steps = stepsFor(model, compiled, mode, signature);
  const n = x.shape[0];
  try {
    steps.stepFor(Math.min(batchSize, n), xShape, yShape);
    if (n % batchSize !== 0 && n > batchSize) steps.stepFor(n % batchSize, xShape, yShape);
  } catch {
    kept.get(model)?.delete(mode);
    release.unregister(steps);
    steps.destroy();
    return false;
  }
  steps.loadWeights();
  const depth = steps.backend.pipelineDepth;
  const issue = (start: number) => {
    const end = Math.min(start + batchSize, n);
    const step = steps.stepFor(end - start, xShape, yShape);
    step.write('x', gatherRows(x, start, end));
    if (y) step.write('y', gatherRows(y, start, end));
    return { start, rows: end - start, read: step.step(steps.outputs) };
  };
  const pending: ReturnType<typeof issue>[] = [];
  for (let start = 0; start < n || pending.length > 0; ) {
    while (start < n && pending.length <= depth) {
      pending.push(issue(start));
      start += batchSize;
    }
    const batch = pending.shift()!;
    each(batch.start, batch.rows, await batch.read);
    if (start < n || pending.length > 0) await yieldToEventLoop();
  }
  return true;
}
