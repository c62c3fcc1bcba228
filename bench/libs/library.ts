// The contract each compared library implements for the benchmark page. A library does its own
// warm-up inside `trainer`/`matmul` preparation, so what the page times is steady-state work only.

import type { Dataset, Host } from '../data';

/** W2 MLP 784-256-128-10, W3 tabular 4-16-3, W4 CNN Conv2D(8,3x3)-BatchNorm-ReLU-MaxPool-Dense. */
export type ModelKind = 'mlp' | 'tabular' | 'cnn';

export interface FitSettings {
  batchSize: number;
  /** Epochs per timed repetition. */
  epochs: number;
}

export interface Trainer {
  /** Runs `epochs` epochs over the whole dataset; resolves with the last epoch's mean loss. */
  fit(): Promise<number>;
  /** Ours only: milliseconds the last fit() spent copying the model's last-good state to the host. */
  lastGoodMs?(): number;
  dispose(): void;
}

export interface MatmulRunner {
  /** One product (or the runner's chain of them, each feeding the next) with the last read back. */
  run(): Promise<void>;
  dispose(): void;
}

export interface BackendReport {
  /** What the library reports it runs on (its backend name, the adapter where it says). */
  description: string;
  /** Set when the library silently ran somewhere else than asked. */
  fallbackReason?: string;
}

export interface Library {
  init(backend: string): Promise<BackendReport>;
  /** `chain` products per run: c = a, then c = c b `chain` times, one readback (default 1). */
  matmul(a: Host, b: Host, chain?: number): Promise<MatmulRunner>;
  /** Builds and compiles the model, and warms it up on `warm` (a batch or two), untimed. */
  trainer(kind: ModelKind, data: Dataset, warm: Dataset, fit: FitSettings): Promise<Trainer>;
  /** Where the library picks its backend per model (ours on 'auto'): what it picked and why, after warm-up. */
  choice?(): string | undefined;
}

/** A library asked for a workload it cannot express; recorded as an error row, never thrown away. */
export class UnsupportedWorkloadError extends Error {
  constructor(library: string, kind: string, why: string) {
    super(`${library} cannot run ${kind}: ${why}`);
    this.name = 'UnsupportedWorkloadError';
  }
}
