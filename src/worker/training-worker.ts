/// <reference lib="webworker" />
/** The training Worker: a TrainingSession driven by the page's messages. */
import { wireDefaultBackend } from '../backend/index';
import { currentBackend } from '../graph/engine';
import { type FromWorker, type ToWorker, transferables } from './protocol';
import { predictRows, TrainingSession } from './trainer';

wireDefaultBackend();
const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (message: FromWorker) => scope.postMessage(message, transferables(message));
let session: TrainingSession | null = null;

/** Destroys the current backend's GPU device (a test's stand-in for a driver reset); the CPU has none. */
function loseDevice(): void {
  (currentBackend() as { device?: GPUDevice }).device?.destroy();
}

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
    case 'debug-lose-device':
      loseDevice();
      break;
  }
};
