/**
 * "Continue in PyTorch": one zip holding a training run as it stands between epochs, and the
 * reader for the zip the PyTorch script writes back (the same layout), so a run goes from the
 * browser to PyTorch (one process or torchrun) and back with nothing lost:
 *
 *   model.py                the module (exportPytorch) with its `train` command
 *   weights.safetensors     the weights file, model and training config in its metadata
 *   optimizer.safetensors   the optimizer's slots, `<weight>.<slot>` in our layouts
 *   training_state.json     epoch, optimizer (config, schedule, step count), fit settings (batch
 *                           size, seed: the shuffle order is the library's generator, reproduced
 *                           in Python), callbacks' options and counters, History, extras
 *   preprocessing.json      the fitted preprocessing (raw CSV in, the same features out)
 *   split.json              the table rows the run trained and validated on, in order
 *   best_weights.safetensors  EarlyStopping's best weights so far (restoreBestWeights only)
 *   README.md               the commands
 *
 * Zip (fflate) rather than a folder or a custom container: one download in a browser, and
 * Python's standard zipfile reads and writes it.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { Preprocessor, type PreprocessorJSON } from '../data/preprocessor';
import type { TrainingState } from '../io/checkpoint';
import { OPTIMIZER_STATE_FORMAT } from '../io/checkpoint';
import { WeightsFileError } from '../io/errors';
import { encodeSafetensors } from '../io/safetensors';
import type { EarlyStopping, EarlyStoppingJSON } from '../nn/callbacks/early-stopping';
import type { ReduceLROnPlateau, ReduceLROnPlateauJSON } from '../nn/callbacks/learning-rate';
import type { HistoryJSON } from '../nn/model/history';
import type { Sequential } from '../nn/model/sequential';
import type { SerializedOptimizer } from '../nn/optimizers/optimizer';
import { ExportError } from './errors';
import { exportPytorch } from './pytorch';

export const TRAINING_BUNDLE_FORMAT = 'webgpu-trainer/training-bundle';

/** How the run trains: what `fit` was given. */
export interface BundleFit {
  /** The epochs the run planned in all (the script continues to this by default). */
  epochs: number;
  batchSize: number;
  /** fit's seed: shuffling (Random(streamKey(seed, epoch))) and Dropout masks derive from it. */
  seed: number;
  shuffle: boolean;
  classWeight?: Record<number, number>;
}

export interface BundleCallbacks {
  earlyStopping: EarlyStoppingJSON | null;
  reduceLROnPlateau: ReduceLROnPlateauJSON | null;
}

/** Which table rows the run used, so the script trains on the same rows of the raw CSV. */
export interface BundleSplit {
  /** Data rows in the table (the CSV, header excluded): the split applies to a table of this size. */
  rows: number;
  train: ArrayLike<number>;
  validation: ArrayLike<number>;
  test?: ArrayLike<number>;
}

export interface TrainingStateJSON {
  format: typeof TRAINING_BUNDLE_FORMAT;
  version: 1;
  epoch: number;
  optimizer: { serialized: SerializedOptimizer; iterations: number };
  fit: BundleFit;
  callbacks: BundleCallbacks;
  /** NaN (an undefined metric that epoch) is null in JSON. */
  history: { epoch: number[]; history: Record<string, (number | null)[]>; error: string | null };
  extra: Record<string, unknown>;
  /** Set by the PyTorch script: torch version, processes, device, batch size. */
  continuedWith?: Record<string, unknown>;
}

export interface TrainingBundleOptions {
  /** fit's settings; epochs defaults to the state's epoch + 1, batchSize 32, seed the model's. */
  fit?: Partial<BundleFit>;
  /** EarlyStopping / ReduceLROnPlateau of the run: their options and counters go along. */
  callbacks?: (EarlyStopping | ReduceLROnPlateau)[];
  split?: BundleSplit;
  /** Named in the README (default: the model's name). */
  name?: string;
}

const historyToJSON = (h: HistoryJSON): TrainingStateJSON['history'] => ({
  epoch: [...h.epoch],
  history: Object.fromEntries(
    Object.entries(h.history).map(([k, v]) => [k, v.map((x) => (Number.isFinite(x) ? x : null))]),
  ),
  error: h.error,
});

function callbackStates(callbacks: TrainingBundleOptions['callbacks'] = []): BundleCallbacks {
  const out: BundleCallbacks = { earlyStopping: null, reduceLROnPlateau: null };
  for (const c of callbacks) {
    const json = c.toJSON();
    if ('restoreBestWeights' in json) out.earlyStopping = json;
    else out.reduceLROnPlateau = json;
  }
  return out;
}

/**
 * The zip for `python3 model.py train`: `model` is the run's compiled model (restoreTrainingState
 * gives one), `state` its captured state, `preprocessor` the data preprocessing (null for a model
 * trained on features the caller encoded).
 */
export async function exportTrainingBundle(
  model: Sequential,
  state: TrainingState,
  preprocessor: Preprocessor | PreprocessorJSON | null,
  options: TrainingBundleOptions = {},
): Promise<Uint8Array> {
  const pre = preprocessor instanceof Preprocessor ? preprocessor.toJSON() : preprocessor;
  const fit: BundleFit = {
    epochs: options.fit?.epochs ?? state.epoch + 1,
    batchSize: options.fit?.batchSize ?? 32,
    seed: options.fit?.seed ?? model.seed,
    shuffle: options.fit?.shuffle ?? true,
    ...(options.fit?.classWeight ? { classWeight: { ...options.fit.classWeight } } : {}),
  };
  if (!Number.isInteger(fit.batchSize) || fit.batchSize < 1 || !Number.isInteger(fit.seed)) {
    throw new ExportError(
      `exportTrainingBundle: fit.batchSize must be a positive integer and fit.seed an integer, received ${fit.batchSize} and ${fit.seed}`,
    );
  }
  const json: TrainingStateJSON = {
    format: TRAINING_BUNDLE_FORMAT,
    version: 1,
    epoch: state.epoch,
    optimizer: { serialized: state.optimizerState.optimizer, iterations: state.optimizerState.iterations },
    fit,
    callbacks: callbackStates(options.callbacks),
    history: historyToJSON(state.history),
    extra: structuredClone(state.extra),
  };
  const files: Record<string, Uint8Array> = {
    'model.py': strToU8(exportPytorch(model, pre ? { preprocessing: pre } : {})),
    'weights.safetensors': state.weights,
    'optimizer.safetensors': state.optimizerState.slots,
    'training_state.json': strToU8(JSON.stringify(json, null, 1)),
    'README.md': strToU8(bundleReadme(options.name ?? model.name, json, pre !== null, !!options.split)),
  };
  if (pre) files['preprocessing.json'] = strToU8(JSON.stringify(pre));
  if (options.split) {
    const { rows, train, validation, test } = options.split;
    const list = (a: ArrayLike<number> | undefined) => Array.from(a ?? []);
    files['split.json'] = strToU8(
      JSON.stringify({ rows, train: list(train), validation: list(validation), test: list(test) }),
    );
  }
  const es = options.callbacks?.find((c): c is EarlyStopping => 'bestWeights' in c);
  const best = es?.bestWeights;
  if (best) {
    files['best_weights.safetensors'] = encodeSafetensors(
      new Map([...best].map(([k, v]) => [k, { data: Float32Array.from(v.data), shape: [...v.shape] }])),
    );
  }
  return zipSync(files, { level: 6 });
}

export interface ReadTrainingBundle {
  /** For restoreTrainingState (then fit({ initialEpoch, history })). */
  state: TrainingState;
  fit: BundleFit;
  callbacks: BundleCallbacks;
  preprocessing: PreprocessorJSON | null;
  split: BundleSplit | null;
  continuedWith: Record<string, unknown> | null;
  /** Every file of the zip, by name. */
  files: Record<string, Uint8Array>;
}

/** Reads a bundle (ours or the one `model.py train` writes); every part is checked by restoreTrainingState. */
export function readTrainingBundle(bytes: Uint8Array, fileName = 'training bundle'): ReadTrainingBundle {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new WeightsFileError(fileName, `not a readable zip (${(e as Error).message})`);
  }
  for (const need of ['training_state.json', 'weights.safetensors', 'optimizer.safetensors']) {
    if (!files[need]) throw new WeightsFileError(fileName, `the bundle has no ${need}`);
  }
  const parse = (name: string): unknown => {
    try {
      return JSON.parse(strFromU8(files[name]));
    } catch (e) {
      throw new WeightsFileError(fileName, `${name} is not valid JSON (${(e as Error).message})`);
    }
  };
  const json = parse('training_state.json') as TrainingStateJSON;
  if (json?.format !== TRAINING_BUNDLE_FORMAT || json.version !== 1) {
    throw new WeightsFileError(
      fileName,
      `training_state.json has format ${JSON.stringify(json?.format)} version ${JSON.stringify(json?.version)}, expected "${TRAINING_BUNDLE_FORMAT}" version 1`,
    );
  }
  const history: HistoryJSON = {
    epoch: json.history?.epoch,
    history: Object.fromEntries(
      Object.entries(json.history?.history ?? {}).map(([k, v]) => [
        k,
        Array.isArray(v) ? v.map((x) => (x === null ? Number.NaN : x)) : v,
      ]),
    ) as Record<string, number[]>,
    error: json.history?.error ?? null,
  };
  const state: TrainingState = {
    epoch: json.epoch,
    weights: files['weights.safetensors'],
    optimizerState: {
      format: OPTIMIZER_STATE_FORMAT,
      version: 1,
      optimizer: json.optimizer?.serialized,
      iterations: json.optimizer?.iterations,
      slots: files['optimizer.safetensors'],
    },
    history,
    extra: json.extra ?? {},
  };
  return {
    state,
    fit: json.fit,
    callbacks: json.callbacks ?? { earlyStopping: null, reduceLROnPlateau: null },
    preprocessing: files['preprocessing.json'] ? (parse('preprocessing.json') as PreprocessorJSON) : null,
    split: files['split.json'] ? (parse('split.json') as BundleSplit) : null,
    continuedWith: json.continuedWith ?? null,
    files,
  };
}

/** The README of a "Continue in PyTorch" bundle: what is inside and the commands, for this run. */
export function bundleReadme(
  name: string,
  state: TrainingStateJSON,
  hasPreprocessing: boolean,
  hasSplit: boolean,
): string {
  const { fit } = state;
  const data = hasPreprocessing ? 'your-table.csv' : 'encoded.csv';
  return `# ${name}: continue this training run in PyTorch

Exported after epoch ${state.epoch} of ${fit.epochs} (optimizer ${state.optimizer.serialized.className},
step ${state.optimizer.iterations}, batch size ${fit.batchSize}, seed ${fit.seed}).

| file | what |
| --- | --- |
| model.py | the model as a torch.nn.Module, its loss, the optimizer's exact update rules, and \`train\` |
| weights.safetensors | the weights (model and training config in its metadata) |
| optimizer.safetensors | the optimizer's slots (moments), named \`<weight>.<slot>\` |
| training_state.json | epoch, optimizer step and settings, schedule, fit settings, callbacks' counters, history |
${hasPreprocessing ? '| preprocessing.json | the fitted preprocessing: raw CSV in, the same features as the page out |\n' : ''}${hasSplit ? '| split.json | the table rows the run trained and validated on, in order |\n' : ''}
Needs Python 3 and PyTorch (\`pip install torch\`, or Debian's python3-torch); nothing else.

## Continue on this machine (GPU when available, else CPU)

    python3 model.py train --data ${data} --epochs 5

${hasPreprocessing ? `\`--data\` takes the raw CSV the page trained on (encoded here exactly as the page encodes it${hasSplit ? "; the page's training and validation rows are used when the table has the same rows" : ''}), or an already-encoded CSV (the page's "Download encoded CSV").` : '`--data` takes a CSV of encoded features with the target column (`--target NAME`).'}
Without \`--epochs\` it trains to the ${fit.epochs} epochs the run planned. Batches are drawn in the
library's order (its generator is reproduced in Python), so the losses continue as the browser's would.

## Continue on several processes or machines (DistributedDataParallel)

    torchrun --nproc_per_node=4 model.py train --data ${data}
    torchrun --nnodes=2 --node_rank=0 --nproc_per_node=8 --rdzv_backend=c10d --rdzv_endpoint=HOST:29500 model.py train --data ${data}

gloo on CPU, nccl on CUDA. The batch size stays the run's in all (${fit.batchSize}, split over the
processes) and the learning rate is not scaled; the log states both. \`--batch-size\` changes it.

## Back into the browser

The script writes \`continued/continued.zip\` (and \`continued/checkpoints/epoch-N.zip\` after each epoch):
the same layout as this bundle. Load it in the page (Models, "Load a weights file ... or a
PyTorch bundle (.zip)", which can train it on there), or in code:

    const { state } = readTrainingBundle(bytes);
    const { model, initialEpoch, history } = restoreTrainingState(state);
    await model.fit(x, y, { epochs, initialEpoch, history });
`;
}
