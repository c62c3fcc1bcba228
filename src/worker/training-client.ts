/**
 * The page's side of training: runs a TrainingSession in a dedicated Worker so the page stays
 * responsive, or on the page itself where module Workers are unavailable.
 */
import {
  type FromWorker,
  type HostArray,
  type PredictRequest,
  type ToWorker,
  type TrainRequest,
  transferables,
} from './protocol';
import { predictRows, TrainingSession } from './trainer';

export class TrainingClient {
  private readonly worker: Worker | null;
  private session: TrainingSession | null = null;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (y: HostArray) => void; reject: (e: Error) => void }
  >();
  /** Where training runs: 'worker', or 'page' when Workers are unavailable. */
  readonly location: 'worker' | 'page';

  constructor(private readonly onMessage: (message: FromWorker) => void) {
    this.worker =
      typeof Worker === 'undefined'
        ? null
        : new Worker(new URL('./training-worker.ts', import.meta.url), { type: 'module', name: 'training' });
    this.location = this.worker ? 'worker' : 'page';
    // Test hook, only on a page opened with ?test-faults: e2e/faults.spec.ts loses the device mid-run.
    if (typeof location !== 'undefined' && new URLSearchParams(location.search).has('test-faults')) {
      (globalThis as { __wtLoseDevice?: () => void }).__wtLoseDevice = () =>
        this.send({ type: 'debug-lose-device' });
    }
    if (this.worker) {
      this.worker.onmessage = (event: MessageEvent<FromWorker>) => this.receive(event.data);
      this.worker.onerror = (event) => {
        this.onMessage({
          type: 'error',
          name: 'WorkerError',
          message: event.message || 'the training worker failed to start',
        });
      };
    }
  }

  /** Starts a run. Its arrays are transferred to the worker: pass copies you do not need afterwards. */
  train(request: TrainRequest): void {
    if (this.worker) {
      this.send(request, transferables(request));
    } else {
      this.session?.stop();
      this.session = new TrainingSession(this.onMessage);
      void this.session.run(request);
    }
  }

  /** The model's outputs on `x`, computed off the page. Arrays are copied, not transferred. */
  async predict(request: Omit<PredictRequest, 'type' | 'id'>): Promise<HostArray> {
    const message: PredictRequest = { ...request, type: 'predict', id: this.nextId++ };
    if (!this.worker) return this.settle(await predictRows(message));
    return new Promise((resolve, reject) => {
      this.pending.set(message.id, { resolve, reject });
      this.send(message);
    });
  }

  pause(): void {
    this.worker ? this.send({ type: 'pause' }) : this.session?.pause();
  }

  resume(): void {
    this.worker ? this.send({ type: 'resume' }) : this.session?.resume();
  }

  stop(): void {
    this.worker ? this.send({ type: 'stop' }) : this.session?.stop();
  }

  dispose(): void {
    this.worker?.terminate();
    this.session?.stop();
  }

  private receive(message: FromWorker): void {
    if (message.type !== 'predictions') {
      this.onMessage(message);
      return;
    }
    const waiter = this.pending.get(message.id);
    this.pending.delete(message.id);
    if (!waiter) return;
    try {
      waiter.resolve(this.settle(message));
    } catch (e) {
      waiter.reject(e as Error);
    }
  }

  private settle(message: FromWorker): HostArray {
    if (message.type !== 'predictions' || !message.y) {
      throw new Error(
        message.type === 'predictions' ? (message.error ?? 'prediction failed') : 'unexpected reply',
      );
    }
    return message.y;
  }

  private send(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker?.postMessage(message, transfer);
  }
}
