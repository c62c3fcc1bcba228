/**
 * A trained model as the app keeps it: one weights file (safetensors, or the JSON form) holding
 * the architecture, the weights and, under one metadata key, what the app needs to predict on new
 * CSV rows (the data preprocessing, class names, task). Saved models, downloads and uploaded files
 * are all this one thing, so a file downloaded here predicts again when it is loaded back.
 */
import { Preprocessor, type PreprocessorJSON, type Task } from '../../data/index';
import { WeightsFileError } from '../../io/errors';
import { encodeJsonWeights } from '../../io/json-weights';
import { loadModel } from '../../io/load-model';
import { encodeSafetensors } from '../../io/safetensors';
import { decodeWeights, detectWeightsFormat } from '../../io/weights-file';
import type { SequentialJSON } from '../../nn/model/sequential';
import type { HostArray } from '../../worker/protocol';

/** The metadata key of the app's context. */
export const APP_CONTEXT_KEY = 'webgpu_trainer_app';

export interface AppContext {
  /** The CSV the model was trained on. */
  source: string;
  task: Task;
  classNames: string[] | null;
  inputSize: number;
  preprocessor: PreprocessorJSON;
}

export interface TrainedModel {
  /** The file as it was produced or uploaded. */
  file: Uint8Array;
  format: 'safetensors' | 'json';
  model: SequentialJSON;
  weights: Record<string, HostArray>;
  metadata: Record<string, string>;
  /** What predicting on CSV rows needs; null for a file made without the app. */
  context: AppContext | null;
  architecture: string;
  params: number;
}

/** One line naming each layer: "dense_1 Dense(16, relu) → dense_2 Dense(3, softmax)". */
export function architectureLine(model: SequentialJSON): string {
  return model.layers
    .map((l, i) => {
      const c = l.config as Record<string, unknown>;
      const args = [c.units ?? c.filters ?? c.rate ?? c.targetShape, c.activation].filter(
        (a) => a !== undefined,
      );
      return `${String(c.name ?? `layer_${i + 1}`)} ${l.className}${args.length ? `(${args.map((a) => JSON.stringify(a).replace(/"/g, '')).join(', ')})` : ''}`;
    })
    .join(' → ');
}

/**
 * Reads and fully validates a weights file (any failure is a WeightsFileError naming the file and
 * the problem; nothing current is touched by the caller until this returns).
 */
export function trainedModelFromFile(bytes: Uint8Array, fileName: string): TrainedModel {
  const model = loadModel(bytes, { fileName, compile: false });
  const decoded = decodeWeights(bytes, { fileName });
  const weights: Record<string, HostArray> = {};
  for (const [name, t] of model.getWeightsByName())
    weights[name] = { data: t.dataSync(), shape: [...t.shape] };
  let context: AppContext | null = null;
  const raw = decoded.metadata[APP_CONTEXT_KEY];
  if (raw !== undefined) {
    try {
      const parsed = JSON.parse(raw) as AppContext;
      Preprocessor.fromJSON(parsed.preprocessor); // validates the preprocessing before it is kept
      context = parsed;
    } catch (e) {
      throw new WeightsFileError(
        fileName,
        `metadata '${APP_CONTEXT_KEY}' is damaged: ${(e as Error).message}`,
      );
    }
  }
  const config = model.getConfig();
  return {
    file: bytes,
    format: detectWeightsFormat(bytes),
    model: config,
    weights,
    metadata: decoded.metadata,
    context,
    architecture: architectureLine(config),
    params: model.countParams(),
  };
}

/**
 * The model the training Worker just produced, from its weights file and the weights it also sent:
 * only the file's header is read (its metadata), so the page does not rebuild the model. The file is
 * our own, written a moment ago; files from elsewhere go through trainedModelFromFile.
 */
export function trainedModelFromWorker(file: Uint8Array, weights: Record<string, HostArray>): TrainedModel {
  const headerLength = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + headerLength))) as {
    __metadata__?: Record<string, string>;
  };
  const metadata = header.__metadata__ ?? {};
  const model = JSON.parse(metadata.model_config) as SequentialJSON;
  const raw = metadata[APP_CONTEXT_KEY];
  return {
    file,
    format: 'safetensors',
    model,
    weights,
    metadata,
    context: raw === undefined ? null : (JSON.parse(raw) as AppContext),
    architecture: architectureLine(model),
    params: Object.values(weights).reduce((n, w) => n + w.data.length, 0),
  };
}

function tensorsOf(m: TrainedModel) {
  return new Map(Object.entries(m.weights).map(([name, w]) => [name, { shape: w.shape, data: w.data }]));
}

/** The model as a file in either format, with the same metadata. */
export function fileOf(m: TrainedModel, format: 'safetensors' | 'json'): Uint8Array {
  if (format === m.format) return m.file;
  return format === 'safetensors'
    ? encodeSafetensors(tensorsOf(m), m.metadata)
    : new TextEncoder().encode(encodeJsonWeights(tensorsOf(m), m.metadata));
}

/** The architecture and how it was trained, as readable JSON (what the weights file's metadata holds). */
export function configFile(m: TrainedModel): string {
  const parse = (key: string) => (m.metadata[key] === undefined ? null : JSON.parse(m.metadata[key]));
  return `${JSON.stringify({ model: m.model, training: parse('training_config'), app: m.context }, null, 2)}\n`;
}

/** The metadata the app adds to the weights files of models it trains. */
export function appMetadata(context: AppContext): Record<string, string> {
  return { [APP_CONTEXT_KEY]: JSON.stringify(context) };
}
