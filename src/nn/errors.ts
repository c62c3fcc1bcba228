/** Errors of the model API (on top of the engine's typed errors in src/errors.ts). */
import { WebGPUTrainerError } from '../errors';

/** fit / evaluate called before compile, or a layer used before it knows its input shape. */
export class ModelStateError extends WebGPUTrainerError {}
