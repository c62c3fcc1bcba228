/// <reference lib="webworker" />
/** The training Worker: a TrainingSession driven by the page's messages. */
import { wireDefaultBackend } from '../backend/index';
import { type FromWorker, type ToWorker, transferables } from './protocol';
import { predictRows, TrainingSession } from './trainer';

wireDefaultBackend();
const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: FromWorker) => scope.postMessage(message, transferables(message));
let session: TrainingSession | null = null;

scope.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'train':
      session?.stop();
      session = new TrainingSession(post);
      void session.run(message);
      break;
    case 'predict':
      void predictRows(message).then(post);
      break;
    case 'pause':
      session?.pause();
      break;
    case 'resume':
      session?.resume();
      break;
    case 'stop':
      session?.stop();
      break;
  }
};
