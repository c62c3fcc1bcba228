/**
 * One training run, driven by messages: builds the model from its JSON, trains it with fit, and
 * reports batches and epochs as they finish (coalesced: progress-outbox.ts). It lives in the
 * training Worker, but depends on nothing of a Worker (it only calls `post`), so tests run it
 * directly in Node.
 */

import { getBackendInfo, setBackend } from '../backend/index';
import { tensor } from '../graph/engine';
import type { Tensor } from '../graph/tensor';
import { restoreTrainingState } from '../io/checkpoint';
import { ModelCheckpoint } from '../io/checkpoint-callback';
import { exportModelWeights } from '../io/model-io';
import { EarlyStopping } from '../nn/callbacks/early-stopping';
import { WeightHistograms } from '../nn/callbacks/weight-histograms';
import type { History } from '../nn/model/history';
import { Sequential } from '../nn/model/sequential';
import { optimizerFromConfig } from '../nn/optimizers/index';
import {
  type OutboxClock,
  type Post,
  PROGRESS_INTERVAL_MS,
  ProgressOutbox,
  realClock,
} from './progress-outbox';
import { ProgressReporter } from './progress-reporter';
import type { FromWorker, HostArray, PredictRequest, TrainRequest } from './protocol';

export type { Post } from './progress-outbox';

const toTensor = (a: HostArray): Tensor => tensor(a.data, a.shape);

async function toHost(t: Tensor): Promise<HostArray> {
  return { data: await t.data(), shape: [...t.shape] };
}

/** Rebuilds a trained model from its JSON and weights and runs it on `x`. */
export async function predictRows(r: PredictRequest): Promise<FromWorker> {
  try {
    await setBackend(r.backend);
    const model = Sequential.fromConfig(r.model);
    model.setWeightsByName(new Map(Object.entries(r.weights).map(([name, w]) => [name, toTensor(w)])));
    return {
      type: 'predictions',
      id: r.id,
      y: await toHost(await model.predict(toTensor(r.x))),
      error: null,
    };
  } catch (e) {
    return { type: 'predictions', id: r.id, y: null, error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

export interface SessionOptions {
  /** The least time between two 'progress' messages (default 50 ms); 0 posts each as it is made. */
  progressIntervalMs?: number;
  /** The clock progress is timed and coalesced by (tests pass a fake one). */
  clock?: OutboxClock;
}

export class TrainingSession {
  private pauseRequested = false;
  /** Set while training is held between batches: calling it lets training go on. */
  private release: (() => void) | null = null;
  private readonly abort = new AbortController();
  private readonly outbox: ProgressOutbox;
  private readonly clock: OutboxClock;

  constructor(post: Post, options: SessionOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.outbox = new ProgressOutbox(post, options.progressIntervalMs ?? PROGRESS_INTERVAL_MS, this.clock);
  }

  /** Holds training after the batch in flight; 'paused' is posted once it is actually held. */
  pause(): void {
    if (!this.abort.signal.aborted) this.pauseRequested = true;
  }

  resume(): void {
    this.pauseRequested = false;
    const release = this.release;
    if (!release) return;
    this.release = null;
    this.outbox.send({ type: 'resumed' });
    release();
  }

  /** Ends training after the current batch; the weights reached so far are reported. */
  stop(): void {
    this.abort.abort();
    const release = this.release;
    this.release = null;
    release?.();
  }

  /**
   * Resolves at once, or, when a pause was asked for, once training is resumed or stopped; true
   * when it held training.
   */
  async waitWhilePaused(): Promise<boolean> {
    if (!this.pauseRequested || this.abort.signal.aborted) return false;
    this.outbox.send({ type: 'paused' });
    await new Promise<void>((resolve) => {
      this.release = resolve;
    });
    return true;
  }

  async run(request: TrainRequest): Promise<void> {
    try {
      await this.train(request);
    } catch (e) {
      const error = e as Error;
      this.outbox.send({ type: 'error', name: error.name, message: error.message });
    }
  }

  private async train(r: TrainRequest): Promise<void> {
    await setBackend(r.backend, { known: r.knownBackendChoices ?? [] });
    const { model, initialEpoch, history } = this.buildModel(r);
    const samples = r.train.x.shape[0];
    const steps = Math.ceil(samples / r.fit.batchSize);
    // Posted when fit begins: with 'auto', fit has picked the backend for this model by then.
    const started = () =>
      this.outbox.send({
        type: 'started',
        runId: r.runId,
        backend: getBackendInfo(),
        steps,
        samples,
        initialEpoch,
      });

    const validation = r.validation ? ([toTensor(r.validation.x), toTensor(r.validation.y)] as const) : null;
    const earlyStopping = r.earlyStopping
      ? new EarlyStopping({
          monitor: validation ? 'val_loss' : 'loss',
          patience: r.earlyStopping.patience,
          restoreBestWeights: true,
        })
      : null;
    const callbacks = [
      new ProgressReporter(
        { outbox: this.outbox, clock: this.clock, waitWhilePaused: () => this.waitWhilePaused(), started },
        { samples, batchSize: r.fit.batchSize, steps, epochs: r.fit.epochs, validates: validation !== null },
      ),
      new WeightHistograms({ onSnapshot: (snapshot) => this.outbox.add({ type: 'histograms', snapshot }) }),
      new ModelCheckpoint({
        save: (state) => this.outbox.add({ type: 'checkpoint', runId: r.runId, state }),
        ...(history ? { history } : {}),
        ...(r.metadata ? { metadata: r.metadata } : {}),
      }),
      ...(earlyStopping ? [earlyStopping] : []),
    ];
    const result = await model.fit(toTensor(r.train.x), toTensor(r.train.y), {
      ...r.fit,
      shuffle: true,
      ...(validation ? { validationData: [validation[0], validation[1]] } : {}),
      callbacks,
      signal: this.abort.signal,
      initialEpoch,
      ...(history ? { history } : {}),
    });

    const weights: Record<string, HostArray> = {};
    for (const [name, value] of model.getWeightsByName()) weights[name] = await toHost(value);
    let evaluation = null;
    if (r.evaluate && r.evaluate.x.shape[0] > 0) {
      this.outbox.send({ type: 'phase', phase: 'evaluating' });
      const [x, y] = [toTensor(r.evaluate.x), toTensor(r.evaluate.y)];
      const logs = await model.evaluate(x, y, { returnDict: true });
      evaluation = { predictions: await toHost(await model.predict(x)), logs };
    }
    this.outbox.send({
      type: 'done',
      runId: r.runId,
      backend: getBackendInfo(),
      history: result.toJSON(),
      weights,
      file: await exportModelWeights(model, r.metadata ? { metadata: r.metadata } : {}),
      evaluation,
      stoppedEarly: result.stopped,
      bestEpoch: earlyStopping?.stoppedEpoch != null ? earlyStopping.bestEpoch : null,
    });
  }

  /** A fresh model from the request's JSON, or the checkpoint's model with its optimizer state. */
  private buildModel(r: TrainRequest): { model: Sequential; initialEpoch: number; history: History | null } {
    if (r.resume) {
      const restored = restoreTrainingState(r.resume, {
        loss: r.loss,
        metrics: r.metrics,
        fileName: `checkpoint of ${r.runId}`,
      });
      return { model: restored.model, initialEpoch: restored.initialEpoch, history: restored.history };
    }
    const model = Sequential.fromConfig(r.model);
    model.compile({ optimizer: optimizerFromConfig(r.optimizer), loss: r.loss, metrics: r.metrics });
    return { model, initialEpoch: 0, history: null };
  }
}
