/**
 * The page's side of training: runs a TrainingSession in a dedicated Worker so the page stays
 * responsive, or on the page itself where module Workers are unavailable.
 */
import { type FromWorker, type ToWorker, type TrainRequest, transferables } from './protocol';
import { TrainingSession } from './trainer';

export class TrainingClient {
  private readonly worker: Worker | null;
  private session: TrainingSession | null = null;
  /** Where training runs: 'worker', or 'page' when Workers are unavailable. */
  readonly location: 'worker' | 'page';

  constructor(private readonly onMessage: (message: FromWorker) => void) {
    this.worker =
      typeof Worker === 'undefined'
        ? null
        : new Worker(new URL('./training-worker.ts', import.meta.url), { type: 'module', name: 'training' });
    this.location = this.worker ? 'worker' : 'page';
    if (this.worker) {
      this.worker.onmessage = (event: MessageEvent<FromWorker>) => this.onMessage(event.data);
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

  private send(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker?.postMessage(message, transfer);
  }
}
