/// <reference lib="webworker" />
/**
 * Worker entry for a page's dataset (DatasetSession): parses the file, keeps the table, and works
 * out the schema and the prepared arrays for each change of the user's choices, so the page's
 * thread never walks the table.
 */
import { DatasetBuilder } from './dataset-builder';
import { type DatasetRequest, type DatasetWorkerMessage, viewToWire } from './dataset-session';
import { errorToData } from './error-wire';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const builder = new DatasetBuilder();

scope.onmessage = async (event: MessageEvent<DatasetRequest>) => {
  const req = event.data;
  const post = (msg: DatasetWorkerMessage, transfer: Transferable[] = []) => scope.postMessage(msg, transfer);
  try {
    const view =
      req.type === 'load'
        ? await builder.load(
            req.input,
            { ...req.parse, onProgress: (progress) => post({ id: req.id, type: 'progress', progress }) },
            req.choices,
          )
        : builder.update(req.choices);
    const { wire, transfer } = viewToWire(view);
    post({ id: req.id, type: 'done', view: wire }, transfer);
  } catch (err) {
    post({
      id: req.id,
      type: 'error',
      error: errorToData(err, req.type === 'load' ? (req.parse.fileName ?? '<blob>') : '<dataset>'),
    });
  }
};
