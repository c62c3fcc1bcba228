/**
 * The model the user is building: a preset or an edited layer list, the training settings, and the
 * result of building it against the dataset's shape (its summary, or the error naming the layer).
 */
import type { SerializedLayer } from '../../nn/layers/index';
import { Sequential, type SequentialJSON } from '../../nn/model/sequential';
import type { ModelSummary } from '../../nn/model/summary';
import type { SerializedOptimizer } from '../../nn/optimizers/index';
import { Observable } from './observable';
import { type DatasetShape, PRESETS } from './presets';

export interface TrainingSettings {
  optimizer: 'adam' | 'adamw' | 'sgd' | 'rmsprop';
  learningRate: number;
  schedule: 'constant' | 'exponential' | 'cosine';
  epochs: number;
  batchSize: number;
  seed: number;
  /** Early stopping on val_loss with this patience; 0 turns it off. */
  patience: number;
  /** Weight classes by inverse frequency (classification). */
  balanceClasses: boolean;
}

export const DEFAULT_SETTINGS: TrainingSettings = {
  optimizer: 'adam',
  learningRate: 0.01,
  schedule: 'constant',
  epochs: 30,
  batchSize: 32,
  seed: 1,
  patience: 0,
  balanceClasses: false,
};

/** The model as the Model panel shows it: the preset, the layer list and the training settings. */
export interface ModelSnapshot {
  presetId: string;
  layers: SerializedLayer[];
  settings: TrainingSettings;
}

export class ModelState extends Observable {
  presetId = 'mlp';
  layers: SerializedLayer[] = [];
  settings: TrainingSettings = { ...DEFAULT_SETTINGS };
  shape: DatasetShape | null = null;
  summary: ModelSummary | null = null;
  /** Why the layer list does not build, naming the layer; null when it builds. */
  error: string | null = null;
  /** What changed without being asked (a preset that does not fit new data was replaced); null otherwise. */
  notice: string | null = null;
  /** Per-row problems of the editor's text (JSON that does not parse). */
  rowErrors: (string | null)[] = [];

  /** What the embedding page asked for (`model` attribute), applied whenever a dataset arrives. */
  private requested: string | null = null;

  /** A new dataset: rebuild the requested model, or the current preset, for its shape. */
  setDataset(shape: DatasetShape | null): void {
    this.shape = shape;
    this.notice = null;
    if (!shape) {
      // Nothing to build against: a summary of the last dataset's shapes would be stale.
      this.summary = null;
      this.changed();
    } else if (this.requested !== null) this.applySpec(this.requested);
    else {
      const preset = PRESETS.find((p) => p.id === this.presetId);
      const reason = preset?.unavailable(shape);
      if (preset && reason) {
        this.choosePreset('mlp');
        this.notice = `${preset.title} does not fit this dataset (${reason}): switched to the MLP.`;
        this.changed();
      } else this.choosePreset(this.presetId);
    }
  }

  /**
   * A model named by a preset id (`mlp`, `linear`, `mlp-bn-dropout`, `cnn`) or given as JSON: a list
   * of `{ className, config }` layers, or a Sequential config with `layers`.
   */
  request(spec: string): void {
    this.requested = spec;
    if (this.shape) this.applySpec(spec);
  }

  private applySpec(spec: string): void {
    if (PRESETS.some((p) => p.id === spec)) {
      this.choosePreset(spec);
      if (this.error) this.requestFailed();
      return;
    }
    try {
      const parsed = JSON.parse(spec) as unknown;
      const layers = Array.isArray(parsed) ? parsed : (parsed as { layers?: unknown })?.layers;
      if (!Array.isArray(layers)) throw new Error('expected a list of layers or { "layers": [...] }');
      this.setLayers(layers as SerializedLayer[]);
    } catch (e) {
      this.error = `model: '${spec.slice(0, 60)}' is neither a preset (${PRESETS.map((p) => p.id).join(', ')}) nor a valid JSON layer list: ${(e as Error).message}`;
      this.summary = null;
      this.changed();
      this.requestFailed();
      return;
    }
    if (this.error) this.requestFailed();
  }

  /** The embedding page's `model` does not build: it hears of it (the element fires wt-error). */
  private requestFailed(): void {
    this.dispatchEvent(
      new CustomEvent('request-error', { detail: { name: 'ModelError', message: this.error } }),
    );
  }

  choosePreset(id: string): void {
    const preset = PRESETS.find((p) => p.id === id);
    if (!preset || !this.shape) return;
    const reason = preset.unavailable(this.shape);
    if (reason) {
      this.error = `${preset.title}: ${reason}`;
      this.summary = null;
      this.changed();
      return;
    }
    this.presetId = id;
    this.setLayers(preset.layers(this.shape));
  }

  setLayers(layers: SerializedLayer[]): void {
    this.layers = layers;
    this.rowErrors = layers.map(() => null);
    this.validate();
  }

  snapshot(): ModelSnapshot {
    return structuredClone({ presetId: this.presetId, layers: this.layers, settings: this.settings });
  }

  /** Shows a snapshot's model again (a resumed run's), checked against the current dataset's shape. */
  restore(snapshot: ModelSnapshot): void {
    this.presetId = snapshot.presetId;
    this.settings = { ...DEFAULT_SETTINGS, ...snapshot.settings };
    this.setLayers(structuredClone(snapshot.layers));
  }

  /** The editor's text for one layer's config changed. */
  editLayer(index: number, className: string, configText: string): void {
    const layers = [...this.layers];
    try {
      const config = configText.trim() === '' ? {} : JSON.parse(configText);
      if (typeof config !== 'object' || config === null || Array.isArray(config)) {
        throw new Error('expected an object such as {"units": 16}');
      }
      layers[index] = { className, config };
      this.layers = layers;
      this.rowErrors[index] = null;
      this.validate();
    } catch (e) {
      this.rowErrors[index] = `layer ${index + 1}: ${(e as Error).message}`;
      this.changed();
    }
  }

  insertLayer(index: number, layer: SerializedLayer): void {
    this.setLayers([...this.layers.slice(0, index), layer, ...this.layers.slice(index)]);
  }

  removeLayer(index: number): void {
    this.setLayers(this.layers.filter((_, i) => i !== index));
  }

  updateSettings(change: Partial<TrainingSettings>): void {
    this.settings = { ...this.settings, ...change };
    this.validate();
  }

  /** The architecture as JSON for a worker or a file; null unless it builds. */
  modelJson(): SequentialJSON | null {
    if (!this.shape || this.error) return null;
    return {
      className: 'Sequential',
      name: 'model',
      seed: this.settings.seed,
      inputShape: [this.shape.inputSize],
      layers: this.layers.map((l) => ({ className: l.className, config: { ...l.config } })),
    };
  }

  optimizerJson(totalSteps: number): SerializedOptimizer {
    const { optimizer, learningRate, schedule } = this.settings;
    const className = { adam: 'Adam', adamw: 'AdamW', sgd: 'SGD', rmsprop: 'RMSprop' }[optimizer];
    const rate =
      schedule === 'constant'
        ? learningRate
        : schedule === 'exponential'
          ? {
              type: 'exponential',
              initialLearningRate: learningRate,
              decaySteps: Math.max(1, Math.round(totalSteps / 10)),
              decayRate: 0.8,
            }
          : { type: 'cosine', initialLearningRate: learningRate, decaySteps: Math.max(1, totalSteps) };
    return { className, config: { learningRate: rate, ...(optimizer === 'sgd' ? { momentum: 0.9 } : {}) } };
  }

  private validate(): void {
    this.summary = null;
    this.error = null;
    if (this.shape) {
      try {
        if (this.layers.length === 0) throw new Error('the model has no layers: add one or pick a preset');
        const model = Sequential.fromConfig({
          className: 'Sequential',
          name: 'model',
          seed: this.settings.seed,
          inputShape: [this.shape.inputSize],
          layers: this.layers.map((l) => ({ className: l.className, config: { ...l.config } })),
        });
        this.summary = model.summaryTable();
        this.checkHead();
      } catch (e) {
        this.error = (e as Error).message;
      }
    }
    this.changed();
  }

  /** The last layer must produce what the loss expects: one probability per class, or one value. */
  private checkHead(): void {
    const s = this.shape;
    const out = this.summary?.rows.at(-1)?.outputShape;
    if (!s || !out) return;
    const width = out.slice(1);
    if (width.length !== 1 || width[0] !== s.outputs) {
      throw new Error(
        `the last layer outputs ${JSON.stringify(width)} per row, but this ${s.task} needs [${s.outputs}]` +
          (s.task === 'classification' ? ' (one probability per class)' : ''),
      );
    }
  }
}
