/**
 * A model's weights as a file and back: `exportModelWeights` writes every weight (named
 * `<layer>.<weight>`, Keras layouts) with the model's config in the metadata;
 * `loadModelWeights` checks the whole file against the model before assigning anything, so a
 * failed load leaves every weight as it was. Matching rules are in weights-match.ts.
 */
import { DeviceLostError, InvalidArgumentError } from '../errors';
import { tensor, withBackend } from '../graph/engine';
import { readTensors } from '../graph/read-tensors';
import type { Tensor } from '../graph/tensor';
import { ModelStateError } from '../nn/errors';
import type { LossConfig } from '../nn/losses';
import { ensureReadable } from '../nn/model/last-good';
import type { Sequential } from '../nn/model/sequential';
import type { SerializedOptimizer } from '../nn/optimizers/optimizer';
import { encodeJsonWeights } from './json-weights';
import { encodeSafetensors } from './safetensors';
import {
  checkDecodeOptions,
  type DecodedWeights,
  type DecodeOptions,
  type WeightsWarning,
  type WeightTensor,
} from './weights';
import { decodeWeights, type WeightsFormat } from './weights-file';
import { matchWeights, type SkippedWeight, WeightsMismatchError } from './weights-match';

export type { SkippedWeight, SkipReason } from './weights-match';

/** The library that wrote a file, in the `library` metadata key. */
export const LIBRARY_NAME = 'webgpu-trainer';
/** Version of the metadata layout below, in `format_version`; readers refuse newer versions. */
export const MODEL_FILE_VERSION = 1;

/** Metadata keys the model writes; callers' own keys may not reuse them. */
export const metadataKeys = {
  library: 'library',
  formatVersion: 'format_version',
  /** JSON of `model.getConfig()`: the architecture `loadModel` rebuilds. */
  modelConfig: 'model_config',
  /** JSON of `TrainingConfigJSON`, present when the model was compiled. */
  trainingConfig: 'training_config',
} as const;

/** How the model was compiled, as saved: enough to compile a rebuilt model the same way. */
export interface TrainingConfigJSON {
  optimizer: SerializedOptimizer;
  loss: LossConfig;
  /** Compiled metric names; only names known to `registerMetric` can be compiled again. */
  metrics: string[];
}

export interface ExportWeightsOptions {
  /** Default 'safetensors'; 'json' gives the JSON form as UTF-8 bytes. */
  format?: WeightsFormat;
  /** More metadata strings, e.g. the data preprocessing as JSON; the keys above are reserved. */
  metadata?: Record<string, string>;
  /** Save the optimizer, loss and metric names (default true when the model is compiled). */
  includeTrainingConfig?: boolean;
}

export type WeightsInput = Uint8Array | ArrayBuffer | string;

export interface LoadWeightsOptions extends DecodeOptions {
  /** Every weight must be in the file with the model's shape, and nothing else (default true). */
  strict?: boolean;
  /** With strict: false, skip weights whose shapes differ instead of throwing (default false). */
  skipMismatch?: boolean;
}

export interface LoadWeightsReport {
  /** Names assigned, in the model's order. */
  loaded: string[];
  /** Names not assigned and why (empty after a strict load). */
  skipped: SkippedWeight[];
  /** Non-finite values found in the file (loaded as they are). */
  warnings: WeightsWarning[];
  /** The file's metadata strings. */
  metadata: Record<string, string>;
}

/** The metadata a model writes into its weights file. */
export function modelMetadata(model: Sequential, options: ExportWeightsOptions = {}): Record<string, string> {
  const reserved = new Set<string>(Object.values(metadataKeys));
  const own = options.metadata ?? {};
  for (const key of Object.keys(own)) {
    if (reserved.has(key)) {
      throw new InvalidArgumentError(
        `${model.name}.exportWeights(metadata): key '${key}' is written by the model; choose another name`,
      );
    }
  }
  const metadata: Record<string, string> = {
    ...own,
    [metadataKeys.library]: LIBRARY_NAME,
    [metadataKeys.formatVersion]: String(MODEL_FILE_VERSION),
    [metadataKeys.modelConfig]: JSON.stringify(model.getConfig()),
  };
  const compiled = model.compiled;
  if (compiled && (options.includeTrainingConfig ?? true)) {
    const training: TrainingConfigJSON = {
      optimizer: compiled.optimizer.serialize(),
      loss: { ...compiled.loss.config },
      metrics: compiled.metrics.map((m) => m.name),
    };
    metadata[metadataKeys.trainingConfig] = JSON.stringify(training);
  }
  return metadata;
}

/**
 * Host copies of named tensors, read asynchronously so it works on backends without readSync, in
 * one batched read per backend (readTensors): a GPU backend maps them all at once.
 */
export async function hostTensors(named: Iterable<[string, Tensor]>): Promise<Map<string, WeightTensor>> {
  const entries = [...named];
  const values = await readTensors(entries.map(([, t]) => t));
  return new Map(
    entries.map(([name, t], i) => [name, { shape: [...t.shape], data: Float32Array.from(values[i]) }]),
  );
}

/** Host copies of the model's weights; a model whose device is gone gives its last-good state. */
async function modelTensors(model: Sequential): Promise<Map<string, WeightTensor>> {
  ensureReadable(model);
  const read = () => hostTensors(model.variables.map((v) => [v.name, v.value]));
  try {
    return await read();
  } catch (e) {
    // The device went during the reads: once the backend says so, the host copy is read.
    if (!(e instanceof DeviceLostError)) throw e;
    ensureReadable(model);
    return read();
  }
}

/** The model's weights file: safetensors bytes, or the JSON form as UTF-8 bytes. */
export async function exportModelWeights(
  model: Sequential,
  options: ExportWeightsOptions = {},
): Promise<Uint8Array> {
  const format = options.format ?? 'safetensors';
  if (format !== 'safetensors' && format !== 'json') {
    throw new InvalidArgumentError(
      `${model.name}.exportWeights(format=${JSON.stringify(format)}): expected 'safetensors' or 'json'`,
    );
  }
  if (!model.built) {
    throw new ModelStateError(
      `${model.name}.exportWeights: the model is not built, so it has no weights yet; give the first layer an inputShape or call build(inputShape)`,
    );
  }
  const metadata = modelMetadata(model, options);
  const tensors = await modelTensors(model);
  if (format === 'json') return new TextEncoder().encode(encodeJsonWeights(tensors, metadata));
  return encodeSafetensors(tensors, metadata);
}

/** The name errors and warnings give the file. */
export function fileNameOf(options: DecodeOptions): string {
  return options.fileName ?? 'weights file';
}

/** Loads weights from a file already decoded; see `loadModelWeights`. */
export function loadDecodedWeights(
  model: Sequential,
  decoded: DecodedWeights,
  options: LoadWeightsOptions = {},
): LoadWeightsReport {
  const file = fileNameOf(options);
  const { strict = true, skipMismatch = false } = options;
  if (strict && skipMismatch) {
    throw new InvalidArgumentError(
      `${model.name}.loadWeights: skipMismatch: true needs strict: false (a strict load takes every weight or none)`,
    );
  }
  if (!model.built) {
    throw new ModelStateError(
      `${model.name}.loadWeights: the model is not built, so its weight shapes are unknown; give the first layer an inputShape or call build(inputShape)`,
    );
  }
  const variables = model.variables;
  const { matched, skipped } = matchWeights(variables, decoded.tensors);
  const problems = skipped.filter((s) => strict || (s.reason === 'shape mismatch' && !skipMismatch));
  if (problems.length > 0) throw new WeightsMismatchError(file, model.name, problems, strict);
  // Every new tensor is made before the first assignment: an upload that throws leaves the model whole.
  const values = matched.map(({ variable, file: t }) =>
    withBackend(variable.value.backend, () => tensor(t.data, t.shape)),
  );
  matched.forEach(({ variable }, i) => {
    variable.value = values[i];
  });
  return {
    loaded: matched.map(({ variable }) => variable.name),
    skipped,
    warnings: decoded.warnings,
    metadata: decoded.metadata,
  };
}

/**
 * Loads a weights file (either format) into a built model by weight name. Decoding, name and shape
 * checks all happen before any weight is assigned; on any error the model is unchanged.
 */
export function loadModelWeights(
  model: Sequential,
  data: WeightsInput,
  options: LoadWeightsOptions = {},
): LoadWeightsReport {
  checkDecodeOptions('loadModelWeights', options, ['strict', 'skipMismatch']);
  const decoded = decodeWeights(data, { fileName: fileNameOf(options), nonFinite: options.nonFinite });
  return loadDecodedWeights(model, decoded, options);
}
