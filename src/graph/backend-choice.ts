/**
 * The hook through which `setBackend('auto')` picks the backend for the model about to train.
 * The choice needs the model's step (which src/nn traces) and the concrete backends (which only
 * src/backend knows); graph owns the meeting point, as it owns the Backend interface, so src/nn
 * asks here without importing a backend and src/backend answers without importing src/nn.
 */
import type { CompiledStep } from './program/compiled-step';
import type { Program } from './program/program';

/** One training step as a timing run needs it, with host copies of everything it reads. */
export interface StepProbe {
  /** The step program fit compiles (Backend.compile), for one batch of `rows` samples. */
  readonly program: Program;
  readonly rows: number;
  /** The outputs fit reads back after every step (the loss, and yPred where metrics need it). */
  readonly reads: readonly string[];
  /** Every input of the program: the first batch (x, y, sampleWeights) and the step scalars. */
  readonly inputs: ReadonlyMap<string, Float32Array>;
  /** Copies of every state: the weights and the optimizer's slots (zeros where none yet). */
  readonly state: ReadonlyMap<string, Float32Array>;
  /** What fit sets before each step besides inputs (Dropout's step counter); `k` counts from 0. */
  readonly beforeStep?: (step: CompiledStep, k: number) => void;
}

export interface BackendChoiceRequest {
  /** The model's architecture, optimizer, loss, sample shapes and batch size: choices are kept by it. */
  readonly key: string;
  /** Builds the probe (traces the step, copies the weights); called only when no choice is kept. */
  readonly probe: () => Promise<StepProbe>;
}

/**
 * Makes the backend that suits the request current (useBackend). It must leave the model's
 * weights and optimizer state as they are: it times copies.
 */
export type BackendChooser = (request: BackendChoiceRequest) => Promise<void>;

let chooser: BackendChooser | null = null;

/** Installs (or, with null, removes) the chooser fit consults before it places the model. */
export function setBackendChooser(c: BackendChooser | null): void {
  chooser = c;
}

/** The chooser in force (set while setBackend('auto') is), or null. */
export function backendChooser(): BackendChooser | null {
  return chooser;
}
