/**
 * One training run as the page sees it: started in the training Worker from the prepared dataset
 * and the model's JSON, followed as it goes (progress, phase, ETA, curves, weight histograms,
 * which the Worker sends at most every ~50 ms: progress-outbox.ts), checkpointed to IndexedDB as
 * epochs end (the newest epoch's state) so a reloaded page can resume it (with the Data and Model
 * panels and the histograms as they were), and evaluated on the test split when it ends. The
 * finished model becomes `current`, the model predictions use; what was computed with it is in
 * `results`, which forgets it when the model or the dataset changes.
 */
import type { BackendChoice, BackendInfo } from '../../backend/index';
import type { PreparedArrays } from '../../data/index';
import type { TrainingState } from '../../io/checkpoint';
import { CheckpointStore } from '../../io/storage/index';
import type { WeightHistogramSnapshot } from '../../nn/callbacks/weight-histograms';
import type { HistoryJSON } from '../../nn/model/history';
import type {
  BackendRequest,
  FromWorker,
  HostArray,
  ProgressMessage,
  TrainRequest,
} from '../../worker/protocol';
import { TrainingClient } from '../../worker/training-client';
import { TrainingLog } from '../training-log';
import { CheckpointWriter } from './checkpoint-writer';
import type { ModelState } from './model-state';
import { Observable } from './observable';
import { Results } from './results';
import { RunProgress } from './run-progress';
import {
  keepHistogramsBounded,
  type PanelsSnapshot,
  type Resumable,
  type RunRecord,
  runRecord,
  storedHistograms,
  testSplitEvaluation,
} from './run-record';
import { trainRequest } from './run-request';
import { type AppContext, type TrainedModel, trainedModelFromWorker } from './trained-model';

export type { PanelsSnapshot, Resumable } from './run-record';
export { balancedClassWeights } from './run-request';

export type RunEventType = 'train-begin' | 'epoch-end' | 'train-end' | 'run-error';

export type RunStatus = 'idle' | 'training' | 'paused' | 'stopping' | 'done' | 'error';

export class RunState extends Observable {
  status: RunStatus = 'idle';
  /** The backend the running (or last) run trains on, with auto's pick and reason where it chose. */
  backend: BackendInfo | null = null;
  /** What the next run asks for: 'auto' (default) times the model on both backends and picks. */
  backendPreference: BackendRequest = 'auto';
  /** What auto picked in earlier runs (each run has its own Worker): handed to the next, which reuses them. */
  private readonly backendChoices: BackendChoice[] = [];
  /** Where training runs: in a Worker, or on the page when Workers are unavailable. */
  location: 'worker' | 'page' | null = null;
  readonly progress = new RunProgress();
  readonly log = new TrainingLog(0.6);
  /** The run's weight histograms, evenly thinned past MAX_HISTOGRAM_SNAPSHOTS (run-record.ts). */
  readonly histograms: WeightHistogramSnapshot[] = [];
  /** How many snapshots the run took (more than `histograms` holds once thinned). */
  histogramsTaken = 0;
  history: HistoryJSON | null = null;
  recovered: Extract<FromWorker, { type: 'recovered' }>['info'] | null = null;
  /** The evaluation and predictions of `current` on the page's data. */
  readonly results = new Results();
  /** The model predictions use: the last finished run's, or one loaded from a file or IndexedDB. */
  current: TrainedModel | null = null;
  error: string | null = null;
  /** Why checkpoints are not being saved (storage full or unavailable); training goes on. */
  storageProblem: string | null = null;
  /** An unfinished run found in IndexedDB when the page opened. */
  resumable: Resumable | null = null;
  /** Something the resumed run could not bring back (a record from an older version). */
  resumeNote: string | null = null;
  bestEpoch: number | null = null;
  /** The state after the run's last completed epoch (what "Continue in PyTorch" exports). */
  lastState: TrainingState | null = null;
  private client: TrainingClient | null = null;
  private record: RunRecord | null = null;
  private runId = '';
  private readonly checkpoints: CheckpointStore;
  private readonly checkpointWriter = new CheckpointWriter((e) => this.storageFailed(e));

  constructor(dbName?: string) {
    super();
    this.checkpoints = new CheckpointStore(dbName);
  }

  /** The test split's evaluation of `current`, when it has one. */
  get evaluation() {
    return this.results.evaluation;
  }

  /** Sets what the next run asks for (the Train panel's backend selector, the element's `backend`). */
  setBackendPreference(backend: BackendRequest): void {
    if (backend === this.backendPreference) return;
    this.backendPreference = backend;
    this.changed();
  }

  start(
    dataset: PreparedArrays,
    model: ModelState,
    backend: BackendRequest = this.backendPreference,
    panels?: PanelsSnapshot,
  ): void {
    const built = trainRequest(dataset, model, backend);
    if (!built) {
      this.error = model.error ?? 'the model does not build';
      this.changed();
      return;
    }
    const { request, context } = built;
    if (backend === 'auto') request.knownBackendChoices = [...this.backendChoices];
    const record = runRecord(request, context, panels);
    this.checkpoints.writeRun(request.runId, { ...record }).catch((e) => this.storageFailed(e));
    this.resumeNote = null;
    this.launch(request, record, 0);
  }

  /**
   * Continues the unfinished run found in IndexedDB from its last checkpoint, on the backend it
   * started on or on the one given (the CPU, after a GPU failure). Returns what the Data and Model
   * panels showed when it started, for the page to show again; null for an older record.
   */
  async resumeSaved(backend?: 'webgpu' | 'cpu'): Promise<PanelsSnapshot | null> {
    const saved = this.resumable;
    if (!saved) return null;
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
      this.histograms.push(...storedHistograms(checkpoint.run));
      this.histogramsTaken = this.histograms.length;
      this.addHistory(state);
      this.resumeNote = record.panels
        ? null
        : 'This run was saved by an older version of the page, which did not keep its data and model settings: training goes on, and loading the dataset again lets you train anew.';
      this.changed();
      return record.panels ?? null;
    } catch (e) {
      this.error = `could not resume: ${(e as Error).message}`;
      this.changed();
      return null;
    }
  }

  /** The epochs a resumed run has behind it, on its curves. */
  private addHistory(state: TrainingState): void {
    for (const [i, epoch] of state.history.epoch.entries()) {
      const logs = Object.fromEntries(Object.entries(state.history.history).map(([k, v]) => [k, v[i]]));
      this.log.addEpoch(epoch, logs);
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
    const record = runRecord(request, context);
    this.checkpoints.writeRun(request.runId, { ...record }).catch((e) => this.storageFailed(e));
    this.launch({ ...request, resume: state }, record, state.epoch);
    this.addHistory(state);
  }

  /** Makes a model from a file or IndexedDB the one predictions use. */
  useModel(model: TrainedModel): void {
    this.current = model;
    this.results.setModel(model);
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
    this.progress.stopping();
    this.client?.stop();
    this.changed();
  }

  private launch(request: TrainRequest, record: RunRecord, initialEpoch: number): void {
    this.client?.dispose();
    this.checkpointWriter.cancel();
    this.client = new TrainingClient((m) => this.onMessage(m));
    this.location = this.client.location;
    this.record = record;
    this.runId = request.runId;
    Object.assign(this, { status: 'training', error: null, history: null, bestEpoch: null, recovered: null });
    this.progress.begin(request.fit.epochs, initialEpoch);
    // A new run: what was computed before belongs to the model and data of an earlier one.
    this.results.clear();
    this.log.clear();
    this.histograms.length = 0;
    this.histogramsTaken = 0;
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
        this.backend = m.backend;
        if (m.backend.choice && !m.backend.choice.cached) this.backendChoices.push(m.backend.choice);
        this.progress.started(m.steps, m.initialEpoch);
        this.announce('train-begin', {
          runId: m.runId,
          backend: m.backend,
          epochs: this.progress.epochs,
          initialEpoch: m.initialEpoch,
        });
        break;
      case 'progress':
        // Up to 50 ms of progress (the Worker coalesces it): taken in order, then drawn once.
        for (const item of m.messages) this.onProgress(item);
        break;
      case 'batch':
      case 'epoch':
      case 'phase':
      case 'checkpoint':
      case 'histograms':
        this.onProgress(m);
        break;
      case 'paused':
        this.status = 'paused';
        // A pause is when a page is likely reloaded or closed: store the newest epoch now.
        this.checkpointWriter.flush();
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
        this.checkpointWriter.flush();
        // The checkpoints written so far stay: offer to go on from the last one (on the CPU if the GPU failed).
        void this.findResumable();
        break;
      case 'predictions':
        return;
      case 'recovered':
        this.recovered = m.info;
        break;
    }
    this.changed();
  }

  /** Takes in one progress message; the caller tells the views. */
  private onProgress(m: ProgressMessage): void {
    switch (m.type) {
      case 'batch':
        this.progress.onBatch(m);
        this.log.addBatch(m.epoch, m.batch, m.steps, m.logs);
        break;
      case 'epoch':
        this.log.addEpoch(m.epoch, m.logs);
        this.announce('epoch-end', { epoch: m.epoch, logs: m.logs });
        break;
      case 'phase':
        this.progress.onPhase(m.phase);
        break;
      case 'checkpoint': {
        this.lastState = m.state;
        const { runId, state } = m;
        // The histograms up to its epoch travel with the checkpoint, so a resumed run shows them
        // all. Written at most once a second (checkpoint-writer.ts), with the histograms then.
        this.checkpointWriter.offer(() =>
          this.checkpoints.write({
            runId,
            ...state,
            run: { histograms: this.histograms.filter((h) => h.epoch < state.epoch) },
          }),
        );
        break;
      }
      case 'histograms':
        // A resumed run's first snapshot repeats the checkpoint's last one (the same epoch's weights).
        if (this.histograms.at(-1)?.epoch === m.snapshot.epoch) this.histograms.pop();
        else this.histogramsTaken++;
        this.histograms.push(m.snapshot);
        keepHistogramsBounded(this.histograms);
        break;
    }
  }

  private finish(m: Extract<FromWorker, { type: 'done' }>): void {
    this.status = 'done';
    if (m.backend) this.backend = m.backend;
    this.history = m.history;
    this.bestEpoch = m.bestEpoch;
    this.progress.ended(m.history.epoch.length, m.bestEpoch);
    if (m.history.error) this.error = m.history.error;
    try {
      this.current = trainedModelFromWorker(m.file, m.weights);
      this.results.setModel(this.current);
    } catch (e) {
      this.error = `the trained model could not be read back: ${(e as Error).message}`;
    }
    const test = testSplitEvaluation(this.record, m.evaluation?.predictions, this.current);
    if (test) this.results.setEvaluation(test.evaluation, test.label);
    this.announce('train-end', { history: m.history, stoppedEarly: m.stoppedEarly, bestEpoch: m.bestEpoch });
    // The run is complete: nothing is left to resume (and no write still to come may store one).
    this.checkpointWriter.cancel();
    this.checkpoints.clear(this.runId).catch(() => undefined);
  }
}
