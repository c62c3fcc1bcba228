/**
 * One training run as the page sees it: started in the training Worker from the prepared dataset
 * and the model's JSON, followed batch by batch (progress, speed, ETA, curves, weight histograms),
 * checkpointed to IndexedDB after every epoch so a reloaded page can resume it, and evaluated on
 * the test split when it ends. The finished model becomes `current`, the model predictions use.
 */
import type { BackendInfo } from '../../backend/index';
import type { PreparedArrays } from '../../data/index';
import type { TrainingState } from '../../io/checkpoint';
import { CheckpointStore } from '../../io/storage/index';
import type { HistoryJSON } from '../../nn/callbacks/history';
import type { WeightHistogramSnapshot } from '../../nn/callbacks/weight-histograms';
import type { FromWorker, HostArray, TrainRequest, XY } from '../../worker/protocol';
import { TrainingClient } from '../../worker/training-client';
import { TrainingLog } from '../training-log';
import { type Evaluation, evaluateClassification, evaluateRegression } from './evaluation';
import type { ModelState } from './model-state';
import { Observable } from './observable';
import { type AppContext, appMetadata, type TrainedModel, trainedModelFromWorker } from './trained-model';

export type RunEventType = 'train-begin' | 'epoch-end' | 'train-end' | 'run-error';

export type RunStatus = 'idle' | 'training' | 'paused' | 'stopping' | 'done' | 'error';

/** What IndexedDB keeps of a run besides its checkpoints. */
interface RunRecord {
  request: TrainRequest;
  context: AppContext;
  testY: Float32Array | null;
}

export interface Resumable {
  runId: string;
  source: string;
  epoch: number;
  epochs: number;
  savedAt: number;
}

type Split = PreparedArrays['train'];

function xy(d: PreparedArrays, s: Split): XY {
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
  readonly histograms: WeightHistogramSnapshot[] = [];
  history: HistoryJSON | null = null;
  evaluation: Evaluation | null = null;
  /** The model predictions use: the last finished run's, or one loaded from a file or IndexedDB. */
  current: TrainedModel | null = null;
  error: string | null = null;
  /** Why checkpoints are not being saved (storage full or unavailable); training goes on. */
  storageProblem: string | null = null;
  /** An unfinished run found in IndexedDB when the page opened. */
  resumable: Resumable | null = null;
  bestEpoch: number | null = null;
  /** The state after the run's last completed epoch (what "Continue in PyTorch" exports). */
  lastState: TrainingState | null = null;
  private client: TrainingClient | null = null;
  private record: RunRecord | null = null;
  private runId = '';
  private batchesPerSecond = 0;
  private readonly checkpoints: CheckpointStore;

  constructor(dbName?: string) {
    super();
    this.checkpoints = new CheckpointStore(dbName);
  }

  get progress(): number {
    const total = this.epochs * this.steps;
    return total > 0 ? Math.min(1, (this.epoch * this.steps + this.batch + 1) / total) : 0;
  }

  /** Seconds left at the current speed, or null before the speed is known. */
  get etaSeconds(): number | null {
    if (this.batchesPerSecond <= 0) return null;
    return (this.epochs * this.steps - (this.epoch * this.steps + this.batch + 1)) / this.batchesPerSecond;
  }

  start(dataset: PreparedArrays, model: ModelState, backend: 'webgpu' | 'cpu'): void {
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
    const context: AppContext = {
      source: dataset.schema.source,
      task: dataset.task,
      classNames: dataset.classNames,
      inputSize: dataset.inputSize,
      preprocessor: dataset.preprocessor.toJSON(),
    };
    const request: TrainRequest = {
      type: 'train',
      runId: `run-${Date.now().toString(36)}`,
      backend,
      model: json,
      optimizer: model.optimizerJson(steps * s.epochs),
      loss: classification ? 'sparseCategoricalCrossentropy' : 'meanSquaredError',
      metrics: classification ? (classes === 2 ? ['accuracy', 'f1', 'auc'] : ['accuracy', 'f1']) : ['mae'],
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
      metadata: appMetadata(context),
    };
    const record: RunRecord = {
      request: structuredClone(request),
      context,
      testY: request.evaluate?.y.data.slice() ?? null,
    };
    this.checkpoints.writeRun(request.runId, { ...record }).catch((e) => this.storageFailed(e));
    this.launch(request, record, 0);
  }

  /**
   * Continues the unfinished run found in IndexedDB from its last checkpoint, on the backend it
   * started on or on the one given (the CPU, after a GPU failure).
   */
  async resumeSaved(backend?: 'webgpu' | 'cpu'): Promise<void> {
    const saved = this.resumable;
    if (!saved) return;
    try {
      const [checkpoint, run] = await Promise.all([
        this.checkpoints.read(saved.runId),
        this.checkpoints.readRun(saved.runId),
      ]);
      if (!checkpoint || !run) throw new Error('the saved run is incomplete in this browser’s storage');
      const record = run as unknown as RunRecord;
      // The store keeps what the Worker posted; restoreTrainingState checks every field of it again.
      const state = checkpoint as unknown as TrainingState;
      this.resumable = null;
      const request = { ...structuredClone(record.request), resume: state, ...(backend ? { backend } : {}) };
      this.launch(request, record, state.epoch);
      for (const [i, epoch] of state.history.epoch.entries()) {
        const logs = Object.fromEntries(Object.entries(state.history.history).map(([k, v]) => [k, v[i]]));
        this.log.addEpoch(epoch, logs);
      }
    } catch (e) {
      this.error = `could not resume: ${(e as Error).message}`;
      this.changed();
    }
  }

  async discardSaved(): Promise<void> {
    if (this.resumable) await this.checkpoints.clear(this.resumable.runId).catch(() => undefined);
    this.resumable = null;
    this.changed();
  }

  /** Looks for a run that a closed or reloaded page left unfinished. */
  async findResumable(): Promise<void> {
    try {
      const latest = await this.checkpoints.latest();
      const run =
        latest && ((await this.checkpoints.readRun(latest.runId)) as unknown as RunRecord | undefined);
      if (latest && run && latest.epoch < run.request.fit.epochs) {
        this.resumable = {
          runId: latest.runId,
          source: run.context.source,
          epoch: latest.epoch,
          epochs: run.request.fit.epochs,
          savedAt: latest.savedAt,
        };
        this.changed();
      }
    } catch (e) {
      this.storageFailed(e);
    }
  }

  /** The request of the run started last (its fit and early-stopping settings), or null. */
  get request(): TrainRequest | null {
    return this.record?.request ?? null;
  }

  /** The app context (source, preprocessing) of the run started last, or null. */
  get context(): AppContext | null {
    return this.record?.context ?? null;
  }

  /**
   * Continues a run from a state made elsewhere (a PyTorch bundle read back): `request` carries
   * the data and settings, its `resume` is set to the state.
   */
  resumeFrom(state: TrainingState, request: TrainRequest, context: AppContext): void {
    // A copy for IndexedDB: the Worker takes ownership of the request's buffers.
    const record: RunRecord = {
      request: structuredClone(request),
      context,
      testY: request.evaluate?.y.data.slice() ?? null,
    };
    this.checkpoints.writeRun(request.runId, { ...record }).catch((e) => this.storageFailed(e));
    this.launch({ ...request, resume: state }, record, state.epoch);
    for (const [i, epoch] of state.history.epoch.entries()) {
      const logs = Object.fromEntries(Object.entries(state.history.history).map(([k, v]) => [k, v[i]]));
      this.log.addEpoch(epoch, logs);
    }
  }

  /** Makes a model from a file or IndexedDB the one predictions use. */
  useModel(model: TrainedModel): void {
    this.current = model;
    this.changed();
  }

  /** The current model's outputs on encoded rows (in the Worker). */
  predict(x: HostArray): Promise<HostArray> {
    const m = this.current;
    if (!m)
      return Promise.reject(new Error('train or load a model first: there is no model to predict with'));
    this.client ??= new TrainingClient((message) => this.onMessage(message));
    return this.client.predict({
      backend: this.record?.request.backend ?? 'cpu',
      model: m.model,
      weights: m.weights,
      x,
    });
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

  private launch(request: TrainRequest, record: RunRecord, initialEpoch: number): void {
    this.client?.dispose();
    this.client = new TrainingClient((m) => this.onMessage(m));
    this.location = this.client.location;
    this.record = record;
    this.runId = request.runId;
    Object.assign(this, {
      status: 'training',
      epochs: request.fit.epochs,
      epoch: initialEpoch,
      batch: 0,
      steps: 0,
    });
    Object.assign(this, {
      error: null,
      history: null,
      evaluation: null,
      bestEpoch: null,
      samplesPerSecond: 0,
      batchesPerSecond: 0,
    });
    this.log.clear();
    this.histograms.length = 0;
    this.lastState = request.resume ?? null;
    this.client.train(request);
    this.changed();
  }

  /** Run milestones, for the element's public events: train-begin, epoch-end, train-end, run-error. */
  private announce(type: RunEventType, detail: Record<string, unknown>): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  private storageFailed(e: unknown): void {
    this.storageProblem = `checkpoints are not being saved (${(e as Error).message}); training goes on`;
    this.changed();
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'started':
        Object.assign(this, { backend: m.backend, steps: m.steps, epoch: m.initialEpoch });
        this.announce('train-begin', {
          runId: m.runId,
          backend: m.backend,
          epochs: this.epochs,
          initialEpoch: m.initialEpoch,
        });
        break;
      case 'batch': {
        Object.assign(this, { epoch: m.epoch, batch: m.batch, samplesPerSecond: m.samplesPerSecond });
        const samples = this.record?.request.train.x.shape[0] ?? 0;
        this.batchesPerSecond = samples > 0 ? m.samplesPerSecond / (samples / m.steps) : 0;
        this.log.addBatch(m.epoch, m.batch, m.steps, m.logs);
        this.changedSoon();
        return;
      }
      case 'epoch':
        this.log.addEpoch(m.epoch, m.logs);
        this.announce('epoch-end', { epoch: m.epoch, logs: m.logs });
        break;
      case 'checkpoint':
        this.lastState = m.state;
        this.changed();
        this.checkpoints.write({ runId: m.runId, ...m.state, run: {} }).catch((e) => this.storageFailed(e));
        return;
      case 'histograms':
        this.histograms.push(m.snapshot);
        break;
      case 'paused':
        this.status = 'paused';
        break;
      case 'resumed':
        this.status = 'training';
        break;
      case 'done':
        this.finish(m);
        break;
      case 'error':
        this.status = 'error';
        this.error = `${m.name}: ${m.message}`;
        this.announce('run-error', { name: m.name, message: m.message });
        // The checkpoints written so far stay: offer to go on from the last one (on the CPU if the GPU failed).
        void this.findResumable();
        break;
      case 'predictions':
        return;
    }
    this.changed();
  }

  private finish(m: Extract<FromWorker, { type: 'done' }>): void {
    this.status = 'done';
    this.history = m.history;
    this.bestEpoch = m.bestEpoch;
    if (m.history.error) this.error = m.history.error;
    try {
      this.current = trainedModelFromWorker(m.file, m.weights);
    } catch (e) {
      this.error = `the trained model could not be read back: ${(e as Error).message}`;
    }
    const context = this.record?.context;
    const testY = this.record?.testY;
    const predictions = m.evaluation?.predictions;
    if (context && testY && predictions) {
      this.evaluation =
        context.task === 'classification'
          ? evaluateClassification(context.classNames ?? [], testY, predictions.data)
          : evaluateRegression(testY, predictions.data);
    }
    this.announce('train-end', { history: m.history, stoppedEarly: m.stoppedEarly, bestEpoch: m.bestEpoch });
    // The run is complete: nothing is left to resume.
    this.checkpoints.clear(this.runId).catch(() => undefined);
  }
}
