/**
 * The eager step behind fit's one loop (epoch.ts) when the step is not compiled (`executor:
 * 'eager'`, or a step that cannot be traced): trainStep dispatched op by op, the loss read back,
 * and the update committed only when it is finite. It runs when issued (pipelining depth 0), and
 * it works on the model's variables directly, so loading and storing state are nothing.
 */
import { tensor } from '../../graph/engine';
import { readTensors } from '../../graph/read-tensors';
import type { Compiled, Sequential } from './sequential';
import { trainStep } from './step';
import type { HostBatch, StepRunner } from './step-runner';

export class EagerTrainer implements StepRunner {
  readonly depth = 0;
  readonly hasAssignments = false;
  /** Whether the newest step was applied (a step with a non-finite loss is not). */
  private applied = false;

  constructor(
    private readonly model: Sequential,
    private readonly compiled: Compiled,
    private readonly seed: number,
    private readonly xShape: readonly number[],
    private readonly yShape: readonly number[],
  ) {}

  load(): void {}
  store(): void {}
  adoptAssignments(): void {}
  destroy(): void {}

  async issue(batch: HostBatch): Promise<Float32Array[]> {
    const xb = tensor(batch.x, [batch.rows, ...this.xShape]);
    const yb = tensor(batch.y, [batch.rows, ...this.yShape]);
    const wb = batch.w ? tensor(batch.w, [batch.rows]) : null;
    const step = trainStep(this.model, this.compiled, xb, yb, wb, this.seed);
    // Loss and predictions in one batched read (one map round trip on WebGPU, not two).
    const metrics = this.compiled.metrics.length > 0;
    const [loss, yPred] = await readTensors(metrics ? [step.loss, step.yPred] : [step.loss]);
    this.applied = Number.isFinite(loss[0]);
    if (!this.applied) return [loss];
    step.commit();
    return metrics ? [loss, yPred] : [loss];
  }

  /** Only a step whose loss was not finite is taken back, and it was never applied. */
  rewind(steps: number): void {
    if (steps > 1 || (steps === 1 && this.applied)) {
      throw new Error(`EagerTrainer.rewind(${steps}): an applied eager step cannot be taken back`);
    }
  }
}
