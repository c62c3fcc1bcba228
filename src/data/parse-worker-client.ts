/**
 * Parsing a large file in a dedicated Worker keeps the page responsive. The File is passed by
 * reference (structured clone of a Blob copies no bytes); the table comes back with its typed
 * arrays transferred, so neither side holds the file's text.
 */
import { type ErrorData, errorFromData } from './error-wire';
import { CsvError } from './errors';
import type { CsvProgress, ParseCsvOptions } from './parse-options';
import type { CsvTable } from './table';

/** Worker -> page messages. */
export type CsvWorkerMessage =
  | { type: 'progress'; progress: CsvProgress }
  | { type: 'done'; table: CsvTable }
  | { type: 'error'; error: ErrorData };

/** Page -> worker message: options minus the callback (functions do not cross threads). */
export interface CsvWorkerRequest {
  input: Blob;
  options: Omit<ParseCsvOptions, 'onProgress'>;
}

/** Only from a page: inside a Worker we are already off the main thread. */
export function workerAvailable(): boolean {
  return typeof Worker !== 'undefined' && typeof document !== 'undefined';
}

/** Typed arrays of the table, to transfer rather than copy. */
export function tableTransferables(table: CsvTable): ArrayBuffer[] {
  return table.columns.flatMap((c) => [c.tags.buffer as ArrayBuffer, c.values.buffer as ArrayBuffer]);
}

export function parseInWorker(input: Blob, options: ParseCsvOptions): Promise<CsvTable> {
  const { onProgress, ...rest } = options;
  const worker = new Worker(new URL('./csv-worker.ts', import.meta.url), { type: 'module' });
  return new Promise<CsvTable>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<CsvWorkerMessage>) => {
      const msg = event.data;
      if (msg.type === 'progress') {
        onProgress?.(msg.progress);
        return;
      }
      worker.terminate();
      if (msg.type === 'done') resolve(msg.table);
      else reject(errorFromData(msg.error));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new CsvError({ file: options.fileName ?? '<blob>' }, `the CSV worker failed: ${event.message}`));
    };
    const request: CsvWorkerRequest = { input, options: rest };
    worker.postMessage(request);
  });
}
