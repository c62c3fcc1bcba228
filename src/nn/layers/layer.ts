/**
 * The layer contract (after Keras): a layer states its config once and keeps it; `build(inputShape)`
 * creates its weights when the input shape is known; `call(x, ctx)` computes the output;
 * `getConfig()` returns the stored config, from which the layer registry rebuilds it.
 *
 * Shapes a layer sees in `build` and `computeOutputShape` exclude the batch axis (as Keras's
 * `input_shape` does); axes in configs (Softmax, BatchNormalization) count the batch axis as 0.
 */
import { fmtShape, InvalidArgumentError, ShapeError } from '../../errors';
import { tensor } from '../../graph/engine';
import { hash32 } from '../../graph/random';
import { type Shape, shapesEqual, sizeOf } from '../../graph/shape';
import type { Tensor } from '../../graph/tensor';
import { received } from '../../validate';
import { type InitializerSpec, initialValues } from '../initializers';
import { assignInOrder, copyValues } from './weight-values';

export interface LayerConfig {
  /** Unique within a model; given by the model (`dense_1`) when omitted. */
  name?: string;
  /** The input shape without the batch axis; the first layer of a model may state it. */
  inputShape?: number[];
  /** When false the layer's weights are not updated by fit (default true). */
  trainable?: boolean;
}

/** A pending assignment to a non-trainable weight (BatchNormalization's moving statistics). */
export interface StateUpdate {
  variable: LayerVariable;
  value: Tensor;
}

/** What a call knows beyond its input. */
export interface CallContext {
  training: boolean;
  /** The training step: Dropout draws a fresh mask per step. */
  step?: number;
  /** The run's seed (fit's seed): Dropout layers without their own seed derive theirs from it. */
  seed?: number;
  /**
   * Where state updates go while training; fit applies them only after the step proved finite.
   * Absent: a layer applies its updates at once.
   */
  updates?: StateUpdate[];
  /**
   * Values the call reads in place of the variables' own (valueAndGrad's tracked copies, a
   * traced step's inputs): a step is computed from the weights it is given, and no variable is
   * changed to trace or differentiate it. Variables not in the map read their own value.
   */
  weights?: ReadonlyMap<LayerVariable, Tensor>;
}

/** One weight of a layer. Its name is `<layer>.<weight>`, e.g. `dense_1.kernel`. */
export class LayerVariable {
  constructor(
    private readonly layer: Layer,
    /** The weight's own name within its layer: `kernel`, `bias`, `moving_mean`. */
    readonly key: string,
    /**
     * The current value, replaced by the optimizer and setWeights. A planned fit on WebGPU writes
     * each epoch's weights into the tensors it handed over at the previous epoch's end (GPU
     * memory stays flat): hold a copy (`getWeights`, `await value.data()`), not the tensor, to
     * keep a snapshot across epochs.
     */
    public value: Tensor,
    private readonly ownTrainable: boolean,
  ) {}

  get name(): string {
    return `${this.layer.name}.${this.key}`;
  }

  get shape(): Shape {
    return this.value.shape;
  }

  /** Trainable weights of trainable layers get gradients. */
  get trainable(): boolean {
    return this.ownTrainable && this.layer.trainable;
  }
}

/** FNV-1a over UTF-16 code units: a stable 32-bit key for a name. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** `MaxPooling2D` -> `max_pooling2d`, as Keras names layers. */
export function snakeCase(className: string): string {
  return className.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/** A weight as `plannedWeights` reports it: what build would allocate. */
export interface PlannedWeight {
  key: string;
  shape: Shape;
  trainable: boolean;
}

export abstract class Layer<C extends LayerConfig = LayerConfig> {
  /** The config as given, frozen: the single statement of this layer's settings. */
  protected readonly config: Readonly<C>;
  private assignedName: string | null = null;
  /** The seed initialisers derive from unless their spec has one (the model sets it). */
  seed = 0;
  built = false;
  inputShape: Shape | null = null;
  private readonly variables: LayerVariable[] = [];
  /** Set while `plannedWeights` runs buildWeights: addWeight records shapes instead of allocating. */
  private planned: PlannedWeight[] | null = null;
  /** `trainable` as last assigned; null until then (the config's value holds). */
  private trainableSet: boolean | null = null;

  constructor(config: C) {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw new InvalidArgumentError(
        `${this.className}(config): expected a config object, ${received(config)}`,
      );
    }
    // null never means "the default" here: `activation: null` once became linear without a word.
    const nullKey = Object.keys(config).find((k) => (config as Record<string, unknown>)[k] === null);
    if (nullKey !== undefined) {
      throw new InvalidArgumentError(
        `${this.className}(${nullKey}=null): null is not a value for ${nullKey}; leave ${nullKey} out for its default`,
      );
    }
    this.config = Object.freeze({ ...config });
    if (config.name !== undefined && (typeof config.name !== 'string' || !/^[\w-]+$/.test(config.name))) {
      throw new InvalidArgumentError(
        `${this.className}(name=${JSON.stringify(config.name)}): name must be letters, digits, '_' or '-'`,
      );
    }
    if (config.inputShape !== undefined) this.checkShape('inputShape', config.inputShape);
  }

  /** The class name the registry knows this layer by (`Dense`): each class's static `className`. */
  get className(): string {
    return (this.constructor as { className?: string }).className ?? this.constructor.name;
  }

  /** The output shape (without the batch axis) for an input shape; validates the input. */
  abstract computeOutputShape(inputShape: Shape): Shape;

  /** The forward computation; `x` has the batch axis first. */
  protected abstract call(x: Tensor, ctx: CallContext): Tensor;

  /** Creates the weights for `inputShape`; layers with weights override it. */
  protected buildWeights(_inputShape: Shape): void {}

  get name(): string {
    return this.config.name ?? this.assignedName ?? `${snakeCase(this.className)}_1`;
  }

  /** @internal the model names layers that were not given a name */
  assignName(name: string): void {
    if (this.config.name === undefined) this.assignedName = name;
  }

  get hasOwnName(): boolean {
    return this.config.name !== undefined;
  }

  /** Whether fit updates this layer's trainable weights; assign false to freeze it, as in Keras. */
  get trainable(): boolean {
    return this.trainableSet ?? this.config.trainable ?? true;
  }

  set trainable(value: boolean) {
    if (typeof value !== 'boolean') {
      throw new InvalidArgumentError(`${this.name}.trainable = ${String(value)}: expected true or false`);
    }
    this.trainableSet = value;
  }

  /** The stored config with the name the layer goes by (and `trainable` once assigned). */
  getConfig(): C & { name: string } {
    const trainable = this.trainableSet === null ? {} : { trainable: this.trainableSet };
    return { ...this.config, ...trainable, name: this.name };
  }

  build(inputShape: Shape): void {
    this.checkShape('input shape', inputShape);
    if (this.built) {
      if (!shapesEqual(inputShape, this.inputShape!)) {
        throw new ShapeError(
          `${this.name}: built for input ${fmtShape(this.inputShape!)}, received ${fmtShape(inputShape)}`,
        );
      }
      return;
    }
    const expected = this.config.inputShape;
    if (expected && !shapesEqual(expected, inputShape)) {
      throw new ShapeError(
        `${this.name}: inputShape is ${fmtShape(expected)} but the input has shape ${fmtShape(inputShape)}`,
      );
    }
    this.computeOutputShape(inputShape);
    this.buildWeights(inputShape);
    this.inputShape = [...inputShape];
    this.built = true;
  }

  /** Runs the layer on a batch, building it on first use. */
  apply(x: Tensor, ctx: CallContext = { training: false }): Tensor {
    if (x.rank < 1) throw new ShapeError(`${this.name}: expected a batch, received a scalar`);
    this.build(x.shape.slice(1));
    return this.call(x, ctx);
  }

  /** The weights in Keras order (kernel before bias; gamma, beta, moving mean, moving variance). */
  get weights(): readonly LayerVariable[] {
    return this.variables;
  }

  get trainableWeights(): LayerVariable[] {
    return this.variables.filter((v) => v.trainable);
  }

  get nonTrainableWeights(): LayerVariable[] {
    return this.variables.filter((v) => !v.trainable);
  }

  /** The number of weight values, trainable or not. */
  countParams(): number {
    return this.variables.reduce((n, v) => n + sizeOf(v.shape), 0);
  }

  /** Copies of the weights' values, in `weights` order. */
  getWeights(): Tensor[] {
    return copyValues(this.variables);
  }

  /** Replaces every weight's value, in `weights` order; all shapes are checked first. */
  setWeights(weights: readonly Tensor[]): void {
    assignInOrder(`${this.name}.setWeights`, this.variables, weights);
  }

  /**
   * @internal the weights `build(inputShape)` would create, without allocating any, so a model's
   * size is known (and refused when too large) before its first weight exists.
   */
  plannedWeights(inputShape: Shape): PlannedWeight[] {
    if (this.built)
      return this.variables.map((v) => ({ key: v.key, shape: [...v.shape], trainable: v.trainable }));
    this.checkShape('input shape', inputShape);
    this.computeOutputShape(inputShape);
    this.planned = [];
    try {
      this.buildWeights(inputShape);
      return this.planned;
    } finally {
      this.planned = null;
    }
  }

  /** Creates a weight, initialised from a seed derived from the layer's seed and the weight's name. */
  protected addWeight(key: string, shape: Shape, init: InitializerSpec, trainable = true): LayerVariable {
    if (this.planned) {
      this.planned.push({ key, shape: [...shape], trainable });
      // Only plannedWeights sees this; build() runs buildWeights again and assigns real weights.
      return null as unknown as LayerVariable;
    }
    const seed = hash32((this.seed ^ hashString(`${this.name}.${key}`)) >>> 0);
    const value = tensor(initialValues(init, shape, seed), shape);
    const variable = new LayerVariable(this as Layer, key, value, trainable);
    this.variables.push(variable);
    return variable;
  }

  /** The value of `variable` this call reads: the context's (CallContext.weights), else its own. */
  protected read(variable: LayerVariable, ctx: CallContext): Tensor {
    return ctx.weights?.get(variable) ?? variable.value;
  }

  /** Sets a state weight now or, inside fit, once the step has proved finite. */
  protected updateState(variable: LayerVariable, value: Tensor, ctx: CallContext): void {
    if (ctx.updates) ctx.updates.push({ variable, value });
    else variable.value = value;
  }

  private checkShape(what: string, shape: readonly number[]): void {
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new ShapeError(
        `${this.className}: ${what} must be a list of positive integers (without the batch axis), received ${JSON.stringify(shape)}`,
      );
    }
  }
}

/** Checks that an input shape has the rank a layer needs. */
export function expectRank(layer: Layer, shape: Shape, rank: number, what: string): void {
  if (shape.length !== rank) {
    throw new ShapeError(
      `${layer.name}: expected input of rank ${rank + 1} (${what}), received [batch,${shape.join(',')}]`,
    );
  }
}

/** A positive integer config value, or a typed error naming the layer and the argument. */
export function positiveInt(owner: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    const shown = typeof v === 'string' ? JSON.stringify(v) : String(v);
    const why = typeof v === 'number' ? '' : `: ${received(v)}`;
    throw new InvalidArgumentError(`${owner}(${name}=${shown}): ${name} must be a positive integer${why}`);
  }
  return v;
}
