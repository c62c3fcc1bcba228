/**
 * The element's entry (`webgpu-trainer/element` in the package, dist/app/webgpu-trainer.js hosted):
 * wires the default backend and registers <webgpu-trainer> and its wt- parts. Importing it is its
 * effect; the library entry, with no UI and no DOM, is src/index.ts.
 */
import { wireDefaultBackend } from './backend/index';

export { WebGPUTrainer } from './ui/webgpu-trainer/webgpu-trainer';

wireDefaultBackend();
