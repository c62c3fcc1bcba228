/**
 * Sequential: a stack of layers, each feeding the next. Layers without a name are named per model
 * by class and position among their kind (`dense_1`, `dense_2`), so two models built alike have
 * the same weight names (`dense_1.kernel`) and weights files move between them. Initialisers draw
 * from the model's seed (default 0) and each weight's name, so building is reproducible.
 */
import { fmtShape, InvalidArgumentError, ShapeError } from '../../errors';
import { noGrad } from '../../graph/engine';
import { mul } from '../../graph/ops/index';
import { type Shape, shapesEqual } from '../../graph/shape';
import type { Tensor } from '../../graph/tensor';
import type { History } from '../callbacks/history';
import { ModelStateError } from '../errors';
import { layerFromConfig, type SerializedLayer, serializeLayer } from '../layers/index';
import { type CallContext, Layer, type LayerVariable, snakeCase } from '../layers/layer';
import { getLoss, type Loss, type LossSpec } from '../losses';
import { type Metric, resolveMetric } from '../metric';
import { getOptimizer, type Optimizer, type OptimizerSpec } from '../optimizers/index';
import type { ModelInput } from './data';
import { type EvaluateOptions, evaluateModel, type PredictOptions, predictModel } from './evaluation';
import { type FitOptions, fitModel } from './fit';
import { checkEvaluateOptions, checkFitOptionTypes, checkInputs } from './fit-options';
import { exclusive, guardCallbacks } from './guard';
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

  /** Copies of every weight by name, in Keras order. */
  getWeights(): Map<string, Tensor> {
    // A multiply by one is a device-side copy: the caller's tensors stay valid whatever later
    // training does to the model's own buffers.
    return noGrad(() => new Map(this.variables.map((v) => [v.name, mul(v.value, 1)])));
  }

  /**
   * Replaces every weight, by name (a Map or record) or in Keras order (an array). Everything is
   * checked before anything is assigned, so a bad call leaves the model unchanged.
   */
  setWeights(weights: Map<string, Tensor> | Record<string, Tensor> | readonly Tensor[]): void {
    const variables = this.variables;
    let values: Tensor[];
    if (Array.isArray(weights)) {
      if (weights.length !== variables.length) {
        throw new InvalidArgumentError(
          `${this.name}.setWeights: received ${weights.length} tensors, the model has ${variables.length} weights`,
        );
      }
      values = [...weights];
    } else {
      const byName =
        weights instanceof Map ? weights : new Map(Object.entries(weights as Record<string, Tensor>));
      const unknown = [...byName.keys()].filter((k) => !variables.some((v) => v.name === k));
      const missing = variables.filter((v) => !byName.has(v.name)).map((v) => v.name);
      if (unknown.length > 0 || missing.length > 0) {
        throw new InvalidArgumentError(
          `${this.name}.setWeights: names do not match the model` +
            (missing.length ? `; missing: ${missing.join(', ')}` : '') +
            (unknown.length ? `; not in the model: ${unknown.join(', ')}` : ''),
        );
      }
      values = variables.map((v) => byName.get(v.name)!);
    }
    variables.forEach((v, i) => {
      if (!shapesEqual(values[i].shape, v.shape)) {
        throw new ShapeError(
          `${this.name}.setWeights: ${v.name} has shape ${fmtShape(v.shape)}, received ${fmtShape(values[i].shape)}`,
        );
      }
    });
    noGrad(() => {
      variables.forEach((v, i) => {
        v.value = mul(values[i], 1);
      });
    });
  }

  countParams(): number {
    return this.stack.reduce((s, l) => {
      const c = l.countParams();
      return s + c.trainable + c.nonTrainable;
    }, 0);
  }

  summary(): ModelSummary {
    if (!this.builtInputShape) throw this.notBuilt('summary');
    return summarize(this.name, this.stack, this.outputShapes);
  }

  printSummary(print: (line: string) => void = console.log): void {
    print(this.summary().text);
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
      await placeOnCurrentBackend(this);
      return fitModel(this, x, y, callbacks ? { ...options, callbacks } : options);
    });
  }

  evaluate(x: ModelInput, y: ModelInput, options: EvaluateOptions = {}): Promise<Record<string, number>> {
    return exclusive(this, 'evaluate', async () => {
      checkInputs('evaluate', x, y);
      checkEvaluateOptions('evaluate', options);
      await placeOnCurrentBackend(this);
      return evaluateModel(this, x, y, options);
    });
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
