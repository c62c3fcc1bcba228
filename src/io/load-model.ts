/**
 * loadModel: a model rebuilt from a weights file alone. The architecture comes from the
 * `model_config` metadata (JSON data, rebuilt only from the registered layer classes, so nothing
 * in a file executes), then the weights load strictly. Every problem with the file is a
 * WeightsFileError that names the key and what was wrong.
 */

import { fmtShape } from '../errors';
import { sizeOf } from '../graph/shape';
import { layerClasses, layerFromConfig } from '../nn/layers/index';
import type { LossSpec } from '../nn/losses';
import type { Metric } from '../nn/metric';
import { Sequential, type SequentialJSON } from '../nn/model/sequential';
import { type Optimizer, optimizerFromConfig } from '../nn/optimizers/index';
import { checkNumber } from '../validate';
import { WeightsFileError } from './errors';
import { brief, MAX_METADATA_DEPTH, parseBoundedJson } from './json-limits';
import {
  fileNameOf,
  LIBRARY_NAME,
  type LoadWeightsReport,
  loadDecodedWeights,
  MODEL_FILE_VERSION,
  metadataKeys,
  type TrainingConfigJSON,
  type WeightsInput,
} from './model-io';
import { checkDecodeOptions, type DecodedWeights, type DecodeOptions } from './weights';
import { decodeWeights } from './weights-file';

export interface LoadModelOptions extends DecodeOptions {
  /** Compile with the saved optimizer (fresh state), loss and metrics when the file has them (default true). */
  compile?: boolean;
  /**
   * The most parameters the file's model config may ask for (default 2^27, about 134 million:
   * 512 MiB of float32). Checked from the config alone, before any layer is built, so a
   * kilobyte-sized file cannot make us allocate gigabytes.
   */
  maxParams?: number;
}

/** loadModel's default `maxParams`. */
export const DEFAULT_MAX_PARAMS = 2 ** 27;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A metadata value parsed as JSON, or a WeightsFileError naming the key. */
function parseMetadataJson(file: string, metadata: Record<string, string>, key: string): unknown {
  return parseBoundedJson(file, `metadata '${key}'`, metadata[key], MAX_METADATA_DEPTH);
}

/** Refuses files from a newer layout or another writer's `library` value. */
function checkVersion(file: string, metadata: Record<string, string>): void {
  const library = metadata[metadataKeys.library];
  if (library !== undefined && library !== LIBRARY_NAME) {
    throw new WeightsFileError(
      file,
      `metadata 'library' is ${brief(library)}; expected '${LIBRARY_NAME}' (a model config from another library cannot be rebuilt)`,
    );
  }
  const version = metadata[metadataKeys.formatVersion];
  if (version !== undefined && !(Number(version) >= 1 && Number(version) <= MODEL_FILE_VERSION)) {
    throw new WeightsFileError(
      file,
      `metadata 'format_version' is ${brief(version)}; this reader understands versions 1 to ${MODEL_FILE_VERSION}`,
    );
  }
}

/** The architecture in a file's metadata, checked down to each layer's class name. */
export function modelConfigOf(file: string, metadata: Record<string, string>): SequentialJSON {
  if (!Object.hasOwn(metadata, metadataKeys.modelConfig)) {
    throw new WeightsFileError(
      file,
      `has no model config (metadata '${metadataKeys.modelConfig}'); build the model in code and call loadModelWeights(model, data) instead`,
    );
  }
  checkVersion(file, metadata);
  const config = parseMetadataJson(file, metadata, metadataKeys.modelConfig);
  const where = `metadata '${metadataKeys.modelConfig}'`;
  if (!isObject(config) || config.className !== 'Sequential' || !Array.isArray(config.layers)) {
    throw new WeightsFileError(
      file,
      `${where} is not a Sequential config; expected { "className": "Sequential", "layers": [...] }`,
    );
  }
  config.layers.forEach((layer: unknown, i: number) => {
    const entry = isObject(layer) ? layer : {};
    const name = entry.className;
    if (typeof name !== 'string' || !Object.hasOwn(layerClasses, name)) {
      throw new WeightsFileError(
        file,
        `${where}: layer ${i} has unknown class ${brief(name)}; expected one of ${Object.keys(layerClasses).join(', ')}`,
      );
    }
    if (!isObject(entry.config)) {
      throw new WeightsFileError(file, `${where}: layer ${i} (${name}) has no config object`);
    }
  });
  return config as unknown as SequentialJSON;
}

/** The compile settings in a file's metadata, or null when the model was saved uncompiled. */
export function trainingConfigOf(file: string, metadata: Record<string, string>): TrainingConfigJSON | null {
  if (!Object.hasOwn(metadata, metadataKeys.trainingConfig)) return null;
  const config = parseMetadataJson(file, metadata, metadataKeys.trainingConfig);
  if (
    !isObject(config) ||
    !isObject(config.optimizer) ||
    !isObject(config.loss) ||
    !Array.isArray(config.metrics) ||
    !config.metrics.every((m) => typeof m === 'string')
  ) {
    throw new WeightsFileError(
      file,
      `metadata '${metadataKeys.trainingConfig}' is malformed; expected { "optimizer": {...}, "loss": {...}, "metrics": [names] }`,
    );
  }
  return config as unknown as TrainingConfigJSON;
}

/** Runs `fn`, turning a model-API error about the file's content into a WeightsFileError. */
export function fromFile<T>(file: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof WeightsFileError) throw e;
    throw new WeightsFileError(file, `${what}: ${(e as Error).message}`);
  }
}

/** Compiles `model` from a file's training config (and the caller's loss or metrics, which win). */
export function compileFromFile(
  file: string,
  model: Sequential,
  training: TrainingConfigJSON | null,
  overrides: { loss?: LossSpec; metrics?: (string | Metric)[]; optimizer?: Optimizer } = {},
): void {
  const loss = overrides.loss ?? training?.loss;
  if (loss === undefined) {
    throw new WeightsFileError(
      file,
      `has no metadata '${metadataKeys.trainingConfig}' to compile from; pass the loss (and metrics) yourself`,
    );
  }
  fromFile(file, `metadata '${metadataKeys.trainingConfig}'`, () =>
    model.compile({
      optimizer: overrides.optimizer ?? (training ? optimizerFromConfig(training.optimizer) : undefined),
      loss,
      metrics: overrides.metrics ?? training?.metrics ?? [],
    }),
  );
}

/**
 * Refuses a config that asks for more than `maxParams` parameters, naming the layer that passes
 * the limit. The layers are constructed (that only checks their configs) but not built: their
 * weight shapes come from `plannedWeights`, so nothing the size of the model is allocated.
 */
function checkConfigSize(file: string, config: SequentialJSON, maxParams: number): void {
  const first = config.layers[0]?.config?.inputShape;
  const inputShape = config.inputShape ?? (Array.isArray(first) ? first : null);
  if (inputShape === null) return; // not buildable: no weights will be made
  const layers = config.layers.map(layerFromConfig);
  let total = 0;
  let shape: number[] = [...inputShape];
  layers.forEach((layer, i) => {
    const weights = layer.plannedWeights(shape);
    const params = weights.reduce((s, w) => s + sizeOf(w.shape), 0);
    total += params;
    if (total > maxParams) {
      const list = weights.map((w) => `${w.key} ${fmtShape(w.shape)}`).join(', ');
      throw new WeightsFileError(
        file,
        `metadata '${metadataKeys.modelConfig}': layer ${i} (${layer.className} '${layer.name}') has ${params} parameters (${list}), ` +
          `bringing the model to ${total}, over the limit of ${maxParams}; pass { maxParams } to loadModel to allow more`,
      );
    }
    shape = [...layer.computeOutputShape(shape)];
  });
}

/** Rebuilds the model in a decoded file and loads its weights strictly. */
export function modelFromDecoded(
  decoded: DecodedWeights,
  options: LoadModelOptions = {},
): { model: Sequential; report: LoadWeightsReport } {
  const file = fileNameOf(options);
  const config = modelConfigOf(file, decoded.metadata);
  const training = trainingConfigOf(file, decoded.metadata);
  const where = `metadata '${metadataKeys.modelConfig}'`;
  checkNumber('loadModel(maxParams)', options.maxParams ?? DEFAULT_MAX_PARAMS, { min: 1 });
  fromFile(file, where, () => checkConfigSize(file, config, options.maxParams ?? DEFAULT_MAX_PARAMS));
  const model = fromFile(file, where, () => Sequential.fromConfig(config));
  if (!model.built && decoded.tensors.size > 0) {
    throw new WeightsFileError(
      file,
      `metadata '${metadataKeys.modelConfig}' has no inputShape, so the ${decoded.tensors.size} tensors cannot be placed`,
    );
  }
  const report = model.built
    ? loadDecodedWeights(model, decoded, { ...options, strict: true })
    : { loaded: [], skipped: [], warnings: decoded.warnings, metadata: decoded.metadata };
  if ((options.compile ?? true) && training) compileFromFile(file, model, training);
  return { model, report };
}

/**
 * The model saved in a weights file (from `exportModelWeights`): architecture, weights and, when
 * it was compiled, its optimizer settings, loss and metrics. The file is checked entirely first.
 */
export function loadModel(data: WeightsInput, options: LoadModelOptions = {}): Sequential {
  checkDecodeOptions('loadModel', options, ['compile']);
  checkNumber('loadModel(maxParams)', options.maxParams ?? DEFAULT_MAX_PARAMS, { min: 1 });
  const decoded = decodeWeights(data, { fileName: fileNameOf(options), nonFinite: options.nonFinite });
  return modelFromDecoded(decoded, options).model;
}
