/**
 * A page's dataset, worked on off its thread. The file goes to a dedicated Worker once (a Blob is
 * passed by reference); the worker keeps the table, and each change of choices comes back as the
 * schema and the prepared arrays, transferred, never the table. A 55 MB CSV used to hold the
 * page's thread for 5.8 s after parsing (schema inference and encoding); here that work is the
 * worker's. Where Workers do not exist (Node, tests) the same builder runs in-thread.
 */
import { DatasetBuilder, type DatasetChoices, type DatasetView } from './dataset-builder';
import { type ErrorData, errorFromData } from './error-wire';
import type { CsvProgress, ParseCsvOptions } from './parse';
import { workerAvailable } from './parse-worker-client';
import type { PreparedArrays } from './prepare';
import { Preprocessor, type PreprocessorJSON } from './preprocessor';

export type ParseChoices = Omit<ParseCsvOptions, 'onProgress' | 'worker' | 'workerThresholdBytes'>;

/** Page -> worker. */
export type DatasetRequest =
  | { id: number; type: 'load'; input: Blob; parse: ParseChoices; choices: DatasetChoices }
  | { id: number; type: 'update'; choices: DatasetChoices };

/** A view as it crosses: the preprocessor as its JSON. */
export type DatasetViewWire = Omit<DatasetView, 'prepared'> & {
  prepared: Omit<PreparedArrays, 'preprocessor'> & { preprocessor: PreprocessorJSON };
};

/** Worker -> page. */
export type DatasetWorkerMessage =
  | { id: number; type: 'progress'; progress: CsvProgress }
  | { id: number; type: 'done'; view: DatasetViewWire }
  | { id: number; type: 'error'; error: ErrorData };

export function viewToWire(view: DatasetView): { wire: DatasetViewWire; transfer: ArrayBuffer[] } {
  const p = view.prepared;
  const wire = { ...view, prepared: { ...p, preprocessor: p.preprocessor.toJSON() } };
  const transfer = [p.train, p.validation, p.test].flatMap((s) => [
    s.xData.buffer as ArrayBuffer,
    s.yData.buffer as ArrayBuffer,
    s.rowIndices.buffer as ArrayBuffer,
  ]);
  return { wire, transfer };
}

function viewFromWire(wire: DatasetViewWire): DatasetView {
  return {
    ...wire,
    prepared: { ...wire.prepared, preprocessor: Preprocessor.fromJSON(wire.prepared.preprocessor) },
  };
}

interface Pending {
  resolve: (view: DatasetView) => void;
  reject: (err: Error) => void;
  onProgress?: (p: CsvProgress) => void;
}

export class DatasetSession {
  private worker: Worker | null = null;
  private readonly local: DatasetBuilder | null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(useWorker: boolean = workerAvailable()) {
    this.local = useWorker ? null : new DatasetBuilder();
  }

  /** Whether the work runs in a Worker (false: on this thread). */
  get inWorker(): boolean {
    return this.local === null;
  }

  load(
    input: Blob,
    parse: ParseChoices,
    choices: DatasetChoices,
    onProgress?: (p: CsvProgress) => void,
  ): Promise<DatasetView> {
    if (this.local) return this.local.load(input, { ...parse, onProgress }, choices);
    return this.send({ id: this.nextId++, type: 'load', input, parse, choices }, onProgress);
  }

  update(choices: DatasetChoices): Promise<DatasetView> {
    if (this.local) {
      const local = this.local;
      return new Promise((resolve) => resolve(local.update(choices)));
    }
    return this.send({ id: this.nextId++, type: 'update', choices });
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new Error('the dataset session was closed'));
    this.pending.clear();
  }

  private send(req: DatasetRequest, onProgress?: (p: CsvProgress) => void): Promise<DatasetView> {
    const worker = this.worker ?? this.start();
    return new Promise((resolve, reject) => {
      this.pending.set(req.id, { resolve, reject, onProgress });
      worker.postMessage(req);
    });
  }

  private start(): Worker {
    const worker = new Worker(new URL('./dataset-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<DatasetWorkerMessage>) => {
      const msg = event.data;
      const p = this.pending.get(msg.id);
      if (!p) return;
      if (msg.type === 'progress') {
        p.onProgress?.(msg.progress);
        return;
      }
      this.pending.delete(msg.id);
      if (msg.type === 'done') p.resolve(viewFromWire(msg.view));
      else p.reject(errorFromData(msg.error));
    };
    worker.onerror = (event) => {
      // A worker that fails to start or crashes takes its table with it: the next call starts afresh.
      this.worker = null;
      const err = new Error(`the dataset worker failed: ${event.message}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker = worker;
    return worker;
  }
}
