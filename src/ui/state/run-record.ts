/**
 * What IndexedDB keeps of a run besides its checkpoints (the request, the app context, the test
 * split's targets and what the panels showed), and what a reloaded page offers to resume.
 */
import type { WeightHistogramSnapshot } from '../../nn/callbacks/weight-histograms';
import type { HostArray, TrainRequest } from '../../worker/protocol';
import type { DatasetSnapshot } from './data-state';
import { type Evaluation, evaluateClassification, evaluateRegression } from './evaluation';
import { formatCount } from './format';
import type { ModelSnapshot } from './model-state';
import type { ResultLabel } from './results';
import type { AppContext, TrainedModel } from './trained-model';

/** What the Data and Model panels showed when a run started: a resumed run shows them again. */
export interface PanelsSnapshot {
  dataset: DatasetSnapshot | null;
  model: ModelSnapshot | null;
}

/**
 * What IndexedDB keeps of a run besides its checkpoints. Version 2 added `panels`; a version 1
 * record (no `version`) still resumes, without them.
 */
export interface RunRecord {
  version?: 2;
  request: TrainRequest;
  context: AppContext;
  testY: Float32Array | null;
  panels?: PanelsSnapshot;
}

export interface Resumable {
  runId: string;
  source: string;
  epoch: number;
  epochs: number;
  savedAt: number;
}

/** The record of a run about to start: copies, since the Worker takes ownership of the request's buffers. */
export function runRecord(
  request: TrainRequest,
  context: AppContext,
  panels: PanelsSnapshot = { dataset: null, model: null },
): RunRecord {
  return {
    version: 2,
    request: structuredClone(request),
    context,
    testY: request.evaluate?.y.data.slice() ?? null,
    panels,
  };
}

/** How the run's model did on its test split (the record's targets), from the Worker's predictions. */
export function testSplitEvaluation(
  record: RunRecord | null,
  predictions: HostArray | undefined,
  model: TrainedModel | null,
): { evaluation: Evaluation; label: ResultLabel } | null {
  const context = record?.context;
  const testY = record?.testY;
  if (!context || !testY || !predictions || !model) return null;
  return {
    evaluation:
      context.task === 'classification'
        ? evaluateClassification(context.classNames ?? [], testY, predictions.data)
        : evaluateRegression(testY, predictions.data),
    label: {
      model: model.architecture,
      trainedOn: context.source,
      data: `Test split of ${context.source} (${formatCount(testY.length)} rows, not used in training)`,
    },
  };
}

/** Weight histograms kept in a checkpoint's `run` field, checked when read back. */
export function storedHistograms(run: Record<string, unknown> | undefined): WeightHistogramSnapshot[] {
  const h = run?.histograms;
  return Array.isArray(h) ? h.filter((s) => typeof s?.epoch === 'number' && Array.isArray(s.weights)) : [];
}

/**
 * The most weight-histogram snapshots a run keeps (one is taken per epoch). A small model can run
 * thousands of epochs a minute; the view draws ten of them, and every checkpoint stores them all.
 */
export const MAX_HISTOGRAM_SNAPSHOTS = 500;

/**
 * Thins `snapshots` in place once it holds more than MAX_HISTOGRAM_SNAPSHOTS: every other one
 * goes, the first and the last stay, so what is left stays evenly spread over the run's epochs.
 */
export function keepHistogramsBounded(snapshots: WeightHistogramSnapshot[]): void {
  if (snapshots.length <= MAX_HISTOGRAM_SNAPSHOTS) return;
  const last = snapshots[snapshots.length - 1];
  let kept = 0;
  for (let i = 0; i < snapshots.length - 1; i += 2) snapshots[kept++] = snapshots[i];
  snapshots[kept++] = last;
  snapshots.length = kept;
}
