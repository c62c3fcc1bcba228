/**
 * One epoch of fit, for every backend and executor: shuffled batches, each a step of the runner
 * (a compiled step program, planned-step.ts, or the eager step, eager-step.ts). Where the runner
 * has a pipelining depth (WebGPU), step b+1 is issued before step b's loss (and predictions, when
 * metrics need them) is read back, so the device works while the host waits for the read, runs
 * metrics and callbacks. The callbacks see the same sequence either way (batchBegin b, batchEnd
 * b, batchBegin b+1, ...). A step issued ahead is taken back (the state rewound) when it must not
 * count:
 *   - step b's loss is non-finite, or grew DIVERGENCE_FACTOR (1,000) times past the run's lowest
 *     batch loss and above its first: steps b and b+1 are taken back, history.error says why and
 *     fit puts the model back to its last-good state (weights, slots, moving statistics and step
 *     count of the last completed epoch; last-good.ts);
 *   - stopTraining or abort is seen before batch b+1 begins;
 *   - a callback changed the learning rate or assigned weights (setWeights) after step b+1 was
 *     issued: b+1 is issued again, with them.
 * Batch callbacks that read weights during an epoch see those of the epoch's start (compiled
 * steps) or the newest (eager).
 */

import { Random, streamKey } from '../../graph/random';
import type { Logs } from './callback';
import { gatherRows } from './data';
import { epochEndLogs } from './evaluation';
import { lowestEpochLoss, recordEpochLoss } from './loss-record';
import type { Run } from './run';
import { DIVERGENCE_FACTOR, metricLogs, nonFiniteLossMessage, yieldEvery } from './step';
import type { HostBatch, StepRunner } from './step-runner';

interface Issued {
  batch: HostBatch;
  read: Promise<Float32Array[]>;
  /** The step count and learning rate it was issued with. */
  iteration: number;
  learningRate: number;
}

/**
 * The divergence guard: history.error's text when the epoch's running mean loss (`mean`, this
 * batch included) is DIVERGENCE_FACTOR times the run's reference and above the run's first batch
 * loss, else null. The reference is the lowest completed-epoch loss (a resumed run's history
 * included: fit adds it to the model's record, loss-record.ts), or the first batch loss before any epoch completed. Means, not
 * single batches: a well-trained model's batch losses spread over decades (1e-4 next to 0.3 on
 * penguins after ten epochs), and one such batch is not a diverging run.
 */
function divergence(run: Run, mean: number, epoch: number, batch: number): string | null {
  if (Number.isNaN(run.firstLoss)) run.firstLoss = mean;
  const lowest = lowestEpochLoss(run.model);
  const reference = Number.isFinite(lowest) ? lowest : run.firstLoss;
  if (mean > DIVERGENCE_FACTOR * reference && mean > run.firstLoss) {
    return (
      `fit: the loss diverged to ${mean} at epoch ${epoch}, batch ${batch}, over ${DIVERGENCE_FACTOR}x ` +
      `its lowest (${reference}); training stopped and the model was put back to its last-good state, ` +
      'the last completed epoch (try a lower learning rate or gradient clipping)'
    );
  }
  return null;
}

/** Trains one epoch; returns its logs, or null when it ended before any batch or was aborted or failed. */
export async function runEpoch(run: Run, epoch: number, trainer: StepRunner): Promise<Logs | null> {
  const { model, compiled, data, weights, batchSize, callbacks, history } = run;
  const optimizer = compiled.optimizer;
  const samples = data.train.x.shape[0];
  const order = run.shuffle ? new Random(streamKey(run.seed, epoch)).permutation(samples) : undefined;
  const batches = Math.ceil(samples / batchSize);
  const batchAt = (b: number): HostBatch => {
    const start = b * batchSize;
    const end = Math.min(start + batchSize, samples);
    return {
      x: gatherRows(data.train.x, start, end, order),
      y: gatherRows(data.train.y, start, end, order),
      w: weights ? gatherRows({ data: weights, shape: [samples] }, start, end, order) : null,
      rows: end - start,
    };
  };
  const issue = (batch: HostBatch): Issued => ({
    batch,
    iteration: optimizer.iterations,
    learningRate: optimizer.learningRate,
    read: trainer.issue(batch),
  });
  /** The rate the optimizer would use for `iteration` now (a callback may have changed it). */
  const rateAt = (iteration: number): number => {
    const now = optimizer.iterations;
    optimizer.iterations = iteration;
    const lr = optimizer.learningRate;
    optimizer.iterations = now;
    return lr;
  };
  /** Takes back the newest issued step; its read may fail once the plan is destroyed, unheeded. */
  const discard = (issued: Issued): void => {
    trainer.rewind(1);
    issued.read.catch(() => undefined);
  };
  for (const m of compiled.metrics) m.reset();
  trainer.load();
  let lossSum = 0;
  let seen = 0;
  let ahead: Issued | null = null;
  // Every few milliseconds, not every batch: stop and abort are still checked at every batch.
  const maybeYield = yieldEvery();
  try {
    for (let b = 0; b < batches; b++) {
      await maybeYield();
      if (model.stopTraining || run.aborted()) break;
      const rows = Math.min(batchSize, samples - b * batchSize);
      await callbacks.batchBegin(b, { batch: b, size: rows });
      // A step issued before a callback changed the rate or assigned weights is issued again.
      if (ahead && (rateAt(ahead.iteration) !== ahead.learningRate || trainer.hasAssignments)) {
        discard(ahead);
        trainer.adoptAssignments();
        ahead = issue(ahead.batch);
      } else if (!ahead) trainer.adoptAssignments();
      const current = ahead ?? issue(batchAt(b));
      ahead = trainer.depth > 0 && b + 1 < batches ? issue(batchAt(b + 1)) : null;
      const [lossValues, predicted] = await current.read;
      const loss = lossValues[0];
      const failure = !Number.isFinite(loss)
        ? nonFiniteLossMessage(loss, epoch, b)
        : divergence(run, (lossSum + loss * rows) / (seen + rows), epoch, b);
      if (failure !== null) {
        if (ahead) discard(ahead);
        ahead = null;
        // A non-finite step was never applied on the eager path; fit restores the last-good state.
        if (!Number.isFinite(loss)) trainer.rewind(1);
        history.error = failure;
        model.stopTraining = true;
        return null;
      }
      lossSum += loss * rows;
      seen += rows;
      if (predicted) {
        const yTrue = { data: current.batch.y, shape: [rows, ...data.train.y.shape.slice(1)] };
        const yPred = { data: predicted, shape: [rows, ...model.outputShape] };
        for (const m of compiled.metrics) m.update(yTrue, yPred);
      }
      await callbacks.batchEnd(b, {
        batch: b,
        size: rows,
        loss: lossSum / seen,
        ...metricLogs(compiled, '', true),
      });
    }
  } finally {
    // A step issued for a batch that never began (stop, abort, an error in a callback) is undone.
    if (ahead) discard(ahead);
    trainer.adoptAssignments();
    trainer.store();
  }
  if (seen === 0 || run.aborted()) return null;
  recordEpochLoss(model, lossSum / seen);
  return epochEndLogs(model, compiled, data.validation, batchSize, lossSum / seen);
}
