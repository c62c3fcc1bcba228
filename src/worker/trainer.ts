/**
 * One training run, driven by messages: builds the model from its JSON, trains it with fit, and
 * reports batches and epochs as they finish. It lives in the training Worker, but depends on
 * nothing of a Worker (it only calls `post`), so tests run it directly in Node.
 */

import { getBackendInfo, setBackend } from '../backend/index';
import { tensor } from '../graph/engine';
import type { Tensor } from '../graph/tensor';
import { restoreTrainingState } from '../io/checkpoint';
import { ModelCheckpoint } from '../io/checkpoint-callback';
import { exportModelWeights } from '../io/model-io';
import { EarlyStopping } from '../nn/callbacks/early-stopping';
import { WeightHistograms } from '../nn/callbacks/weight-histograms';
import { Callback, type Logs, type RecoveredInfo } from '../nn/model/callback';
import type { History } from '../nn/model/history';
import { Sequential } from '../nn/model/sequential';
import { optimizerFromConfig } from '../nn/optimizers/index';
import type { FromWorker, HostArray, PredictRequest, TrainRequest } from './protocol';

export type Post = (message: FromWorker) => void;

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

export class TrainingSession {
  private pauseRequested = false;
  /** Set while training is held between batches: calling it lets training go on. */
  private release: (() => void) | null = null;
  private readonly abort = new AbortController();

  constructor(private readonly post: Post) {}

  /** Holds training after the batch in flight; 'paused' is posted once it is actually held. */
  pause(): void {
    if (!this.abort.signal.aborted) this.pauseRequested = true;
  }

  resume(): void {
    this.pauseRequested = false;
    const release = this.release;
    if (!release) return;
    this.release = null;
    this.post({ type: 'resumed' });
    release();
  }

  /** Ends training after the current batch; the weights reached so far are reported. */
  stop(): void {
    this.abort.abort();
    const release = this.release;
    this.release = null;
    release?.();
  }

  /** Resolves at once, or, when a pause was asked for, once training is resumed or stopped. */
  waitWhilePaused(): Promise<void> {
    if (!this.pauseRequested || this.abort.signal.aborted) return Promise.resolve();
    this.post({ type: 'paused' });
    return new Promise((resolve) => {
      this.release = resolve;
    });
  }

  async run(request: TrainRequest): Promise<void> {
    try {
      await this.train(request);
    } catch (e) {
      const error = e as Error;
      this.post({ type: 'error', name: error.name, message: error.message });
    }
  }

  private async train(r: TrainRequest): Promise<void> {
    await setBackend(r.backend, { known: r.knownBackendChoices ?? [] });
    const { model, initialEpoch, history } = this.buildModel(r);
    const samples = r.train.x.shape[0];
    const steps = Math.ceil(samples / r.fit.batchSize);
    // Posted when fit begins: with 'auto', fit has picked the backend for this model by then.
    const started = () =>
      this.post({ type: 'started', runId: r.runId, backend: getBackendInfo(), steps, samples, initialEpoch });

    const validation = r.validation ? ([toTensor(r.validation.x), toTensor(r.validation.y)] as const) : null;
    const earlyStopping = r.earlyStopping
      ? new EarlyStopping({
          monitor: validation ? 'val_loss' : 'loss',
          patience: r.earlyStopping.patience,
          restoreBestWeights: true,
        })
      : null;
    const callbacks = [
      new ProgressReporter(this, this.post, samples, r.fit.batchSize, steps, validation !== null, started),
      new WeightHistograms({ onSnapshot: (snapshot) => this.post({ type: 'histograms', snapshot }) }),
      new ModelCheckpoint({
        save: (state) => this.post({ type: 'checkpoint', runId: r.runId, state }),
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
      this.post({ type: 'phase', phase: 'evaluating' });
      const [x, y] = [toTensor(r.evaluate.x), toTensor(r.evaluate.y)];
      const logs = await model.evaluate(x, y, { returnDict: true });
      evaluation = { predictions: await toHost(await model.predict(x)), logs };
    }
    this.post({
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

/** Reports each batch and epoch, and holds training between batches while the run is paused. */
class ProgressReporter extends Callback {
  private epochStart = 0;
  private seen = 0;
  private epoch = 0;

  constructor(
    private readonly session: TrainingSession,
    private readonly post: Post,
    private readonly samples: number,
    private readonly batchSize: number,
    private readonly steps: number,
    private readonly validates: boolean,
    private readonly started: () => void,
  ) {
    super();
  }

  override onTrainBegin(): void {
    this.started();
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.epochStart = performance.now();
    this.seen = 0;
  }

  override async onBatchEnd(batch: number, logs: Logs): Promise<void> {
    this.seen += Math.min(this.batchSize, this.samples - batch * this.batchSize);
    const seconds = (performance.now() - this.epochStart) / 1000;
    this.post({
      type: 'batch',
      epoch: this.epoch,
      batch,
      steps: this.steps,
      logs: { ...logs },
      samplesPerSecond: seconds > 0 ? this.seen / seconds : 0,
      time: performance.now() / 1000,
    });
    if (batch === this.steps - 1 && this.validates) this.post({ type: 'phase', phase: 'validating' });
    await this.session.waitWhilePaused();
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    this.post({ type: 'epoch', epoch, logs: { ...logs } });
  }

  override onRecovered(info: RecoveredInfo): void {
    this.post({ type: 'recovered', info: { ...info }, backend: getBackendInfo() });
  }
}
