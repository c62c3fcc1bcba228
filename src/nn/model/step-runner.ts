/**
 * The contract between fit's one loop (epoch.ts) and the two ways a step runs: compiled
 * (planned-step.ts, PlannedTrainer) and eager (eager-step.ts, EagerTrainer).
 */

/** One batch as host rows. */
export interface HostBatch {
  x: Float32Array;
  y: Float32Array;
  /** Per-sample loss weights (classWeight), when the run has them. */
  w: Float32Array | null;
  rows: number;
}

/** What fit's loop drives: a compiled step (PlannedTrainer) or the eager one (EagerTrainer). */
export interface StepRunner {
  /** Steps the loop may issue before reading the oldest one's loss. */
  readonly depth: number;
  load(): void;
  store(): void;
  adoptAssignments(): void;
  readonly hasAssignments: boolean;
  /** Runs one step; resolves with [loss] or [loss, yPred]. */
  issue(batch: HostBatch): Promise<Float32Array[]>;
  rewind(steps: number): void;
  destroy(): void;
}
