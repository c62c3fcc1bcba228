/**
 * One training run as the page sees it: started in the training Worker from the prepared dataset
 * and the model's JSON, followed batch by batch (progress, speed, ETA, curves), and evaluated on the
 * test split when it ends.
 */
import type { BackendInfo } from '../../backend/index';
import type { PreparedDataset } from '../../data/index';
import type { HistoryJSON } from '../../nn/callbacks/history';
import type { FromWorker, HostArray, TrainRequest, XY } from '../../worker/protocol';
import { TrainingClient } from '../../worker/training-client';
import { TrainingLog } from '../training-log';
import { type Evaluation, evaluateClassification, evaluateRegression } from './evaluation';
import type { ModelState } from './model-state';
import { Observable } from './observable';

export type RunStatus = 'idle' | 'training' | 'paused' | 'stopping' | 'done' | 'error';

type Split = PreparedDataset['train'];

function xy(d: PreparedDataset, s: Split): XY {
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

export class RunState extends Observable {
  status: RunStatus = 'idle';
  backend: BackendInfo | null = null;
  /** Where training runs: in a Worker, or on the page when Workers are unavailable. */
  location: 'worker' | 'page' | null = null;
  epochs = 0;
  epoch = 0;
  batch = 0;
  steps = 0;
  samplesPerSecond = 0;
  readonly log = new TrainingLog(0.6);
  history: HistoryJSON | null = null;
  evaluation: Evaluation | null = null;
  weights: Record<string, HostArray> | null = null;
  error: string | null = null;
  private client: TrainingClient | null = null;
  private dataset: PreparedDataset | null = null;
  private request: TrainRequest | null = null;
  private batchesPerSecond = 0;

  get progress(): number {
    const total = this.epochs * this.steps;
    return total > 0 ? Math.min(1, (this.epoch * this.steps + this.batch + 1) / total) : 0;
  }

  /** Seconds left at the current speed, or null before the speed is known. */
  get etaSeconds(): number | null {
    if (this.batchesPerSecond <= 0) return null;
    return (this.epochs * this.steps - (this.epoch * this.steps + this.batch + 1)) / this.batchesPerSecond;
  }

  start(dataset: PreparedDataset, model: ModelState, backend: 'webgpu' | 'cpu'): void {
    const json = model.modelJson();
    if (!json) {
      this.error = model.error ?? 'the model does not build';
      this.changed();
      return;
    }
    const s = model.settings;
    const classification = dataset.task === 'classification';
    const classes = dataset.classNames?.length ?? 0;
    const steps = Math.ceil(dataset.train.rows / s.batchSize);
    const request: TrainRequest = {
      type: 'train',
      runId: `run-${Date.now().toString(36)}`,
      backend,
      model: json,
      optimizer: model.optimizerJson(steps * s.epochs),
      loss: classification ? 'sparseCategoricalCrossentropy' : 'meanSquaredError',
      metrics: classification ? ['accuracy'] : [],
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
    };
    this.client?.dispose();
    this.client = new TrainingClient((m) => this.onMessage(m));
    this.request = { ...request, train: request.train, validation: null, evaluate: null };
    this.location = this.client.location;
    this.dataset = dataset;
    Object.assign(this, { status: 'training', epochs: s.epochs, epoch: 0, batch: 0, steps, error: null });
    Object.assign(this, {
      history: null,
      evaluation: null,
      weights: null,
      samplesPerSecond: 0,
      batchesPerSecond: 0,
    });
    this.log.clear();
    this.client.train(request);
    this.changed();
  }

  /** The finished model's outputs on encoded rows (in the Worker). */
  predict(x: HostArray): Promise<HostArray> {
    if (!this.client || !this.request || !this.weights) {
      return Promise.reject(new Error('train a model first: there are no trained weights to predict with'));
    }
    return this.client.predict({
      backend: this.request.backend,
      model: this.request.model,
      weights: this.weights,
      x,
    });
  }

  /** The dataset the finished run was trained on (its preprocessing encodes new rows). */
  get trainedOn(): PreparedDataset | null {
    return this.status === 'done' ? this.dataset : null;
  }

  pause(): void {
    this.client?.pause();
  }

  resume(): void {
    this.client?.resume();
  }

  stop(): void {
    if (this.status !== 'training' && this.status !== 'paused') return;
    this.status = 'stopping';
    this.client?.stop();
    this.changed();
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'started':
        this.backend = m.backend;
        this.steps = m.steps;
        break;
      case 'batch':
        Object.assign(this, { epoch: m.epoch, batch: m.batch, samplesPerSecond: m.samplesPerSecond });
        this.batchesPerSecond = m.samplesPerSecond / Math.max(1, (this.dataset?.train.rows ?? 1) / m.steps);
        this.log.addBatch(m.epoch, m.batch, m.steps, m.logs);
        this.changedSoon();
        return;
      case 'epoch':
        this.log.addEpoch(m.epoch, m.logs);
        break;
      case 'paused':
        this.status = 'paused';
        break;
      case 'resumed':
        this.status = 'training';
        break;
      case 'done':
        this.status = 'done';
        this.history = m.history;
        this.weights = m.weights;
        this.evaluation = this.evaluate(m.evaluation?.predictions ?? null);
        if (m.history.error) this.error = m.history.error;
        break;
      case 'error':
        this.status = 'error';
        this.error = `${m.name}: ${m.message}`;
        break;
    }
    this.changed();
  }

  private evaluate(predictions: HostArray | null): Evaluation | null {
    const d = this.dataset;
    if (!d || !predictions) return null;
    return d.task === 'classification'
      ? evaluateClassification(d.classNames ?? [], d.test.yData, predictions.data)
      : evaluateRegression(d.test.yData, predictions.data);
  }
}
