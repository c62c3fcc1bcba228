/**
 * Sequential: a stack of layers, each feeding the next. Layers without a name are named per model
 * by class and position among their kind (`dense_1`, `dense_2`), so two models built alike have
 * the same weight names (`dense_1.kernel`) and weights files move between them. Initialisers draw
 * from the model's seed (default 0) and each weight's name, so building is reproducible.
 */
import { fmtShape, InvalidArgumentError, ShapeError } from '../../errors';
import { type Shape, shapesEqual } from '../../graph/shape';
import type { Tensor } from '../../graph/tensor';
import { ModelStateError } from '../errors';
import { layerFromConfig, type SerializedLayer, serializeLayer } from '../layers/index';
import { type CallContext, Layer, type LayerVariable, snakeCase } from '../layers/layer';
import {
  assignByName,
  assignInOrder,
  copyValues,
  copyValuesByName,
  type WeightsByName,
} from '../layers/weight-values';
import { getLoss, type Loss, type LossSpec } from '../losses';
import { type Metric, resolveMetric } from '../metric';
import { getOptimizer, type Optimizer, type OptimizerSpec } from '../optimizers/index';
import type { ModelInput } from './data';
import { type EvaluateOptions, evaluateModel, type PredictOptions, predictModel } from './evaluation';
import { fitModel } from './fit';
import { checkEvaluateOptions, checkFitOptionTypes, checkInputs, type FitOptions } from './fit-options';
import { exclusive, guardCallbacks } from './guard';
import type { History } from './history';
import { ensureReadable } from './last-good';
import { forgetEpochLosses } from './loss-record';
import { assertFits } from './memory';
import { placeOnCurrentBackend } from './placement';
import { type ModelSummary, summarize } from './summary';

export interface SequentialConfig {
  layers?: Layer[];
  name?: string;
  /** Seeds the initialisers of layers whose initialiser has no seed of its own (default 0). */
  seed?: number;
}

export interface CompileArgs {
  optimizer?: OptimizerSpec;
  loss: LossSpec;
  metrics?: (string | Metric)[];
}

/** What compile resolved: the objects fit, evaluate and checkpoints use. */
export interface Compiled {
  optimizer: Optimizer;
  loss: Loss;
  metrics: Metric[];
}

/** The architecture as saved: JSON with no code in it. */
export interface SequentialJSON {
  className: 'Sequential';
  name: string;
  seed: number;
  /** The input shape without the batch axis, once known. */
  inputShape: number[] | null;
  layers: SerializedLayer[];
}

/** Samples in x when that is known without reading it (a Tensor or an array). */
function rowsOf(x: ModelInput): number | null {
  if (Array.isArray(x)) return x.length;
  const shape = (x as { shape?: unknown }).shape;
  return Array.isArray(shape) && typeof shape[0] === 'number' ? shape[0] : null;
}

export class Sequential {
  readonly name: string;
  readonly seed: number;
  private readonly stack: Layer[] = [];
  private builtInputShape: Shape | null = null;
  private outputShapes: Shape[] = [];
  compiled: Compiled | null = null;
  /** Set by a callback (or the user) to end fit after the current batch. */
  stopTraining = false;

  constructor(config: Layer[] | SequentialConfig = {}) {
    const c: SequentialConfig = Array.isArray(config) ? { layers: config } : config;
    this.name = c.name ?? 'sequential';
    this.seed = c.seed ?? 0;
    if (!Number.isInteger(this.seed)) {
      throw new InvalidArgumentError(`Sequential(seed=${c.seed}): seed must be an integer`);
    }
    for (const layer of c.layers ?? []) this.add(layer);
  }

  get layers(): readonly Layer[] {
    return this.stack;
  }

  add(layer: Layer): void {
    if (!(layer instanceof Layer)) {
      throw new InvalidArgumentError(`${this.name}.add: expected a Layer, received ${String(layer)}`);
    }
    if (this.stack.includes(layer)) {
      throw new InvalidArgumentError(`${this.name}.add: layer ${layer.name} is already in this model`);
    }
    if (layer.built && this.stack.length > 0) {
      throw new InvalidArgumentError(`${this.name}.add: layer ${layer.name} was already built elsewhere`);
    }
    const taken = new Set(this.stack.map((l) => l.name));
    if (!layer.hasOwnName) {
      const base = snakeCase(layer.className);
      let k = this.stack.filter((l) => l.className === layer.className).length + 1;
      while (taken.has(`${base}_${k}`)) k++;
      layer.assignName(`${base}_${k}`);
    }
    if (taken.has(layer.name)) {
      throw new InvalidArgumentError(
        `${this.name}.add: a layer named '${layer.name}' is already in the model`,
      );
    }
    layer.seed = this.seed;
    this.stack.push(layer);
    const first = this.stack[0].getConfig().inputShape;
    if (this.builtInputShape) this.extendBuild(layer);
    else if (first) this.build(first);
  }

  /** The input shape without the batch axis, once known. */
  get inputShape(): Shape | null {
    return this.builtInputShape ?? this.stack[0]?.getConfig().inputShape ?? null;
  }

  /** The output shape without the batch axis; needs the model built. */
  get outputShape(): Shape {
    if (!this.builtInputShape) throw this.notBuilt('outputShape');
    return this.outputShapes[this.outputShapes.length - 1] ?? this.builtInputShape;
  }

  get built(): boolean {
    return this.builtInputShape !== null;
  }

  /** Builds every layer for samples of `inputShape` (without the batch axis). */
  build(inputShape: Shape): void {
    if (this.builtInputShape) {
      if (!shapesEqual(inputShape, this.builtInputShape)) {
        throw new ShapeError(
          `${this.name}: built for input ${fmtShape(this.builtInputShape)}, received ${fmtShape(inputShape)}`,
        );
      }
      return;
    }
    if (this.stack.length === 0) throw new ModelStateError(`${this.name}: add layers before building`);
    assertFits(`${this.name}.build`, this.stack, inputShape);
    let shape = inputShape;
    const shapes: Shape[] = [];
    for (const layer of this.stack) {
      layer.build(shape);
      shape = layer.computeOutputShape(shape);
      shapes.push(shape);
    }
    this.outputShapes = shapes;
    this.builtInputShape = [...inputShape];
  }

  private extendBuild(layer: Layer): void {
    assertFits(`${this.name}.add`, this.stack, this.builtInputShape!);
    const previous = this.outputShapes[this.outputShapes.length - 1] ?? this.builtInputShape!;
    layer.build(previous);
    this.outputShapes.push(layer.computeOutputShape(previous));
  }

  /** Runs every layer on a batch (inference unless ctx.training), building on first use. */
  apply(x: Tensor, ctx: CallContext = { training: false }): Tensor {
    if (this.stack.length === 0) throw new ModelStateError(`${this.name}: the model has no layers`);
    this.build(x.shape.slice(1));
    return this.stack.reduce((h, layer) => layer.apply(h, ctx), x);
  }

  /** Every weight in Keras order (layer by layer; kernel before bias). */
  get variables(): LayerVariable[] {
    return this.stack.flatMap((l) => [...l.weights]);
  }

  get trainableVariables(): LayerVariable[] {
    return this.variables.filter((v) => v.trainable);
  }

  /** The weights in Keras order, as Keras and TensorFlow.js call them (the same list as `variables`). */
  get weights(): LayerVariable[] {
    return this.variables;
  }

  get trainableWeights(): LayerVariable[] {
    return this.trainableVariables;
  }

  get nonTrainableWeights(): LayerVariable[] {
    return this.variables.filter((v) => !v.trainable);
  }

  /** Assigning false freezes every layer (as in Keras), true thaws them; reads false once all are frozen. */
  get trainable(): boolean {
    return this.stack.some((l) => l.trainable);
  }

  set trainable(value: boolean) {
    for (const layer of this.stack) layer.trainable = value;
  }

  /** A layer by name, or by position (`getLayer(undefined, 2)` as in TensorFlow.js, or `getLayer(2)`). */
  getLayer(name?: string | number, index?: number): Layer {
    const at = typeof name === 'number' ? name : name === undefined ? index : undefined;
    const layer = at === undefined ? this.stack.find((l) => l.name === name) : this.stack[at];
    if (!layer) {
      const asked = at === undefined ? `'${String(name)}'` : `index ${at}`;
      throw new InvalidArgumentError(
        `${this.name}.getLayer(${asked}): no such layer; the layers are ${this.stack.map((l) => l.name).join(', ') || 'none'}`,
      );
    }
    return layer;
  }

  /** Copies of every weight in Keras order (layer by layer; kernel before bias), as Keras returns them. */
  getWeights(): Tensor[] {
    // Copies: the caller's tensors stay valid whatever later training does to the model's own buffers.
    ensureReadable(this); // a model whose device is gone reads its last-good state
    return copyValues(this.variables);
  }

  /** Copies of every weight by name (`dense_1.kernel`), in Keras order. */
  getWeightsByName(): Map<string, Tensor> {
    ensureReadable(this);
    return copyValuesByName(this.variables);
  }

  /**
   * Replaces every weight, in Keras order (as getWeights returns them). Everything is checked
   * before anything is assigned, so a bad call leaves the model unchanged.
   */
  setWeights(weights: readonly Tensor[]): void {
    assignInOrder(`${this.name}.setWeights`, this.variables, weights);
    forgetEpochLosses(this);
  }

  /** Replaces every weight by name (a Map or a record, as getWeightsByName returns); checked as setWeights. */
  setWeightsByName(weights: WeightsByName): void {
    assignByName(`${this.name}.setWeightsByName`, this.variables, weights);
    forgetEpochLosses(this);
  }

  countParams(): number {
    return this.stack.reduce((n, l) => n + l.countParams(), 0);
  }

  /** The summary table: one row per layer, with output shapes and parameter counts. */
  summaryTable(): ModelSummary {
    if (!this.builtInputShape) throw this.notBuilt('summaryTable');
    return summarize(this.name, this.stack, this.outputShapes);
  }

  /** Prints the summary table, as Keras and TensorFlow.js do (to the console unless `printFn` is given). */
  summary(printFn: (line: string) => void = console.log): void {
    if (!this.builtInputShape) throw this.notBuilt('summary');
    printFn(this.summaryTable().text);
  }

  getConfig(): SequentialJSON {
    return {
      className: 'Sequential',
      name: this.name,
      seed: this.seed,
      inputShape: this.inputShape ? [...this.inputShape] : null,
      layers: this.stack.map(serializeLayer),
    };
  }

  /** Rebuilds the architecture (fresh weights from the seed) from getConfig's JSON. */
  static fromConfig(config: SequentialJSON): Sequential {
    if (config?.className !== 'Sequential' || !Array.isArray(config.layers)) {
      throw new InvalidArgumentError(
        `Sequential.fromConfig: expected { className: 'Sequential', layers: [...] }, received className ${JSON.stringify(config?.className)}`,
      );
    }
    const model = new Sequential({
      name: config.name,
      seed: config.seed,
      layers: config.layers.map(layerFromConfig),
    });
    if (config.inputShape && !model.built) model.build(config.inputShape);
    return model;
  }

  compile(args: CompileArgs): void {
    if (args?.loss === undefined) {
      throw new InvalidArgumentError(
        `${this.name}.compile: a loss is required (one of the names or a loss config)`,
      );
    }
    const loss = getLoss(args.loss);
    const metrics = (args.metrics ?? []).map((m) => resolveMetric(m, loss.config));
    const names = metrics.map((m) => m.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i || n === 'loss');
    if (duplicate)
      throw new InvalidArgumentError(`${this.name}.compile: metric name '${duplicate}' is used twice`);
    const optimizer = getOptimizer(args.optimizer ?? 'rmsprop');
    // Training keeps gradients and optimizer slots beside the weights: refuse a model that cannot.
    if (this.builtInputShape) {
      assertFits(`${this.name}.compile`, this.stack, this.builtInputShape, {
        training: true,
        slotsPerWeight: optimizer.slotKeys.length,
      });
    }
    this.compiled = { optimizer, loss, metrics };
  }

  /** The compiled optimizer (model.optimizer in Keras and TensorFlow.js), e.g. to change its rate. */
  get optimizer(): Optimizer {
    return this.requireCompiled('optimizer').optimizer;
  }

  /** @internal the compiled objects, or a clear error naming the method that needs them */
  requireCompiled(method: string): Compiled {
    if (!this.compiled) {
      throw new ModelStateError(
        `${this.name}.${method}: the model is not compiled; call compile({ optimizer, loss }) first`,
      );
    }
    return this.compiled;
  }

  /**
   * Trains the model. Options are checked first; a model too large for the backend's memory is
   * refused (OutOfMemoryError) before anything is allocated; a second fit, evaluate or predict on
   * this model while one runs rejects with ModelBusyError. Weights left on another backend by
   * setBackend are moved to the current one.
   */
  fit(x: ModelInput, y: ModelInput, options: FitOptions = {}): Promise<History> {
    return exclusive(this, 'fit', async () => {
      checkInputs('fit', x, y);
      checkFitOptionTypes(options);
      const callbacks = guardCallbacks(this, options.callbacks);
      const { optimizer } = this.requireCompiled('fit');
      if (this.builtInputShape) {
        const batchSize = Math.min(options.batchSize ?? 32, rowsOf(x) ?? Number.POSITIVE_INFINITY);
        assertFits(`${this.name}.fit`, this.stack, this.builtInputShape, {
          batchSize,
          training: true,
          slotsPerWeight: optimizer.slotKeys.length,
        });
      }
      // fitModel places the weights (after a lost device's replacement and auto's choice).
      return fitModel(this, x, y, callbacks ? { ...options, callbacks } : options);
    });
  }

  /** 'loss' then each compiled metric's name: the order of evaluate's array. */
  get metricsNames(): string[] {
    return ['loss', ...this.requireCompiled('metricsNames').metrics.map((m) => m.name)];
  }

  /**
   * The loss and metrics on (x, y) in inference mode, as Keras and TensorFlow.js return them: the
   * loss alone without metrics, else an array in `metricsNames` order (NaN for a metric undefined on
   * this data); `returnDict: true` gives them by name instead.
   */
  evaluate(
    x: ModelInput,
    y: ModelInput,
    options: EvaluateOptions & { returnDict: true },
  ): Promise<Record<string, number>>;
  evaluate(x: ModelInput, y: ModelInput, options?: EvaluateOptions): Promise<number | number[]>;
  async evaluate(
    x: ModelInput,
    y: ModelInput,
    options: EvaluateOptions = {},
  ): Promise<number | number[] | Record<string, number>> {
    const logs = await exclusive(this, 'evaluate', async () => {
      checkInputs('evaluate', x, y);
      checkEvaluateOptions('evaluate', options);
      await placeOnCurrentBackend(this);
      return evaluateModel(this, x, y, options);
    });
    if (options.returnDict) return logs;
    const values = this.metricsNames.map((name) => logs[name] ?? Number.NaN);
    return values.length === 1 ? values[0] : values;
  }

  predict(x: ModelInput, options: PredictOptions = {}): Promise<Tensor> {
    return exclusive(this, 'predict', async () => {
      checkInputs('predict', x, undefined, false);
      checkEvaluateOptions('predict', options);
      await placeOnCurrentBackend(this);
      return predictModel(this, x, options);
    });
  }

  private notBuilt(method: string): ModelStateError {
    return new ModelStateError(
      `${this.name}.${method}: the model is not built; give the first layer an inputShape or call build(inputShape)`,
    );
  }
}
