/**
 * What the page has computed with a model on data: the test split's evaluation, and predictions
 * on a file of new rows (or why they failed). They belong to one (dataset, model) pair and go as
 * soon as either changes, so nothing on screen describes a model or data that is no longer there;
 * each carries a label saying which model and data it was computed with. Plain data, no DOM.
 */
import type { Remedy } from '../../data/index';
import type { Evaluation } from './evaluation';
import { Observable } from './observable';
import type { PredictionTable } from './predictions';

/** Which model and data a result was computed with, in the page's words. */
export interface ResultLabel {
  /** The model's architecture line ("dense_1 Dense(32, relu) → …"). */
  model: string;
  /** The CSV the model was trained on, or null for a file made without the app. */
  trainedOn: string | null;
  /** The data the result is about: the test split of a CSV, or a file of new rows. */
  data: string;
}

export interface PredictionResult {
  /** The file the download is named after. */
  fileName: string;
  url: string;
  table: PredictionTable;
  notes: string[];
  label: ResultLabel;
}

export class Results extends Observable {
  evaluation: Evaluation | null = null;
  evaluationLabel: ResultLabel | null = null;
  predictions: PredictionResult | null = null;
  /** Why the last prediction failed, with the file it was for and the way past it, if any. */
  predictError: { message: string; label: ResultLabel; remedy: Remedy | null; file: File | null } | null =
    null;
  private dataset: object | null = null;
  private model: object | null = null;

  /** The page's dataset is now `dataset`: results computed with another one go. */
  setDataset(dataset: object | null): void {
    if (dataset === this.dataset) return;
    this.dataset = dataset;
    this.clear();
  }

  /** The model predictions use is now `model`: results computed with another one go. */
  setModel(model: object | null): void {
    if (model === this.model) return;
    this.model = model;
    this.clear();
  }

  /** The pair the results belong to now (for tests and labels). */
  get owner(): { dataset: object | null; model: object | null } {
    return { dataset: this.dataset, model: this.model };
  }

  setEvaluation(evaluation: Evaluation, label: ResultLabel): void {
    this.evaluation = evaluation;
    this.evaluationLabel = label;
    this.changed();
  }

  setPredictions(result: PredictionResult): void {
    this.revoke();
    this.predictions = result;
    this.predictError = null;
    this.changed();
  }

  setPredictError(
    message: string,
    label: ResultLabel,
    remedy: Remedy | null = null,
    file: File | null = null,
  ): void {
    this.revoke();
    this.predictions = null;
    this.predictError = { message, label, remedy, file };
    this.changed();
  }

  clear(): void {
    this.revoke();
    this.evaluation = null;
    this.evaluationLabel = null;
    this.predictions = null;
    this.predictError = null;
    this.changed();
  }

  /** A download link of predictions that are gone is released with them. */
  private revoke(): void {
    if (this.predictions && typeof URL.revokeObjectURL === 'function') {
      URL.revokeObjectURL(this.predictions.url);
    }
  }
}

/** "dense_1 Dense(32, relu) → … trained on iris.csv", for a result's caption. */
export function describeLabel(l: ResultLabel): string {
  return `${l.data}; model ${l.model}${l.trainedOn ? `, trained on ${l.trainedOn}` : ''}`;
}
