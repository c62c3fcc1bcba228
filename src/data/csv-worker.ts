/// <reference lib="webworker" />
/** Worker entry: parses one file and posts progress, then the table or the error. */
import { errorToData } from './error-wire';
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
    post({ type: 'error', error: errorToData(err, event.data.options.fileName ?? '<blob>') });
  }
};
