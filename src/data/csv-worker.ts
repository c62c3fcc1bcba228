/// <reference lib="webworker" />
/** Worker entry: parses one file and posts progress, then the table or the error. */
import { CsvError } from './errors';
import { parseCsvHere } from './parse';
import { type CsvWorkerMessage, type CsvWorkerRequest, tableTransferables } from './parse-worker-client';

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (event: MessageEvent<CsvWorkerRequest>) => {
  const post = (msg: CsvWorkerMessage, transfer: Transferable[] = []) => scope.postMessage(msg, transfer);
  try {
    const table = await parseCsvHere(event.data.input, {
      ...event.data.options,
      onProgress: (progress) => post({ type: 'progress', progress }),
    });
    post({ type: 'done', table }, tableTransferables(table));
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    post({
      type: 'error',
      csv: e instanceof CsvError,
      message: e.message,
      file: e instanceof CsvError ? e.file : (event.data.options.fileName ?? '<blob>'),
      row: e instanceof CsvError ? e.row : undefined,
      column: e instanceof CsvError ? e.column : undefined,
    });
  }
};
