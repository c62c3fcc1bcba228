/**
 * The optimizer base: learning rate (constant or scheduled), gradient clipping, per-variable slots
 * (momenta) and a step count. Updates run under noGrad; `update` computes the next values and
 * slots without changing anything, `applyGradients` applies them. State is exposed by name
 * (`dense_1.kernel.m`) so checkpoints can store and restore it.
 */
import { fmtShape, InvalidArgumentError, ShapeError } from '../../errors';
import { noGrad } from '../../graph/engine';
import { add, clip, div, fill, greater, mul, sqrt, sum, where } from '../../graph/ops/index';
import { shapesEqual } from '../../graph/shape';
import type { Tensor } from '../../graph/tensor';
import { type LearningRate, LearningRateSchedule, learningRateAt, type ScheduleConfig } from './schedules';

export interface OptimizerConfig {
  /** A number, a schedule, or a schedule's config. */
  learningRate?: number | LearningRateSchedule | ScheduleConfig;
  /** Rescales all gradients together when their global L2 norm exceeds this. */
  clipNorm?: number;
  /** Clips every gradient element to [-clipValue, clipValue]. */
  clipValue?: number;
  /**
   * Update each weight with the fused update ops (a few passes per weight) rather than one op per
   * arithmetic step; both compute the same numbers. Default true.
   */
  fused?: boolean;
}

/** What an optimizer updates: a named tensor it may replace (a model's LayerVariable). */
export interface Trainable {
  readonly name: string;
  value: Tensor;
}

/** What updateVariable multiplies by: host numbers (eager) or scalar tensors (a planned step). */
export type StepScalars = readonly (number | Tensor)[];

export interface OptimizerState {
  /** Updates applied so far; the next uses step iterations + 1 for bias correction. */
  iterations: number;
  /** Slots by `<variable>.<slot>`, e.g. `dense_1.kernel.m`. */
  slots: Map<string, Tensor>;
}

/** One update's slots: the current ones read, the next ones written (`next` starts as a copy). */
export class StepSlots {
  readonly next: Map<string, Tensor>;

  constructor(
    private readonly owner: string,
    private readonly current: ReadonlyMap<string, Tensor>,
  ) {
    this.next = new Map(current);
  }

  /** The slot `slotName` of a variable, zeros like `like` on first use. */
  get(variable: string, slotName: string, like: Tensor): Tensor {
    const key = `${variable}.${slotName}`;
    const value = this.current.get(key);
    if (!value) return fill(like.shape, 0, like);
    if (!shapesEqual(value.shape, like.shape)) {
      throw new ShapeError(
        `${this.owner}: slot ${key} has shape ${fmtShape(value.shape)}, its variable ${fmtShape(like.shape)}`,
      );
    }
    return value;
  }

  set(variable: string, slotName: string, value: Tensor): void {
    this.next.set(`${variable}.${slotName}`, value);
  }
}

/** An optimizer as saved: its class and its config, with any schedule as its config. */
export interface SerializedOptimizer {
  className: string;
  config: Record<string, unknown>;
}

export abstract class Optimizer<C extends OptimizerConfig = OptimizerConfig> {
  protected readonly config: Readonly<C>;
  private rate: LearningRate;
  iterations = 0;
  private slots = new Map<string, Tensor>();

  constructor(config: C, defaultLearningRate: number) {
    const lr = config.learningRate ?? defaultLearningRate;
    this.rate =
      typeof lr === 'number' || lr instanceof LearningRateSchedule ? lr : new LearningRateSchedule(lr);
    if (typeof this.rate === 'number' && !(this.rate > 0)) {
      throw new InvalidArgumentError(`${this.className}(learningRate=${lr}): learningRate must be positive`);
    }
    for (const key of ['clipNorm', 'clipValue'] as const) {
      const v = config[key];
      if (v !== undefined && !(typeof v === 'number' && v > 0)) {
        throw new InvalidArgumentError(`${this.className}(${key}=${v}): ${key} must be a positive number`);
      }
    }
    this.config = Object.freeze({ ...config });
  }

  /** Whether updates use the fused ops (config `fused`, default true). */
  protected get fused(): boolean {
    return this.config.fused ?? true;
  }

  get className(): string {
    return (this.constructor as { className?: string }).className ?? this.constructor.name;
  }

  /** The learning rate the next update uses. */
  get learningRate(): number {
    return learningRateAt(this.rate, this.iterations);
  }

  /**
   * A constant rate from the next update on (ReduceLROnPlateau, LearningRateScheduler). Refused
   * while a schedule drives the rate: the two would overwrite each other's value.
   */
  set learningRate(value: number) {
    if (this.rate instanceof LearningRateSchedule) {
      throw new InvalidArgumentError(
        `${this.className}.learningRate = ${value}: the rate follows a '${this.rate.config.type}' schedule; give the optimizer a number to change it during training`,
      );
    }
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
      throw new InvalidArgumentError(
        `${this.className}.learningRate = ${value}: expected a positive finite number`,
      );
    }
    this.rate = value;
  }

  /** True when a schedule, not a settable number, gives the rate. */
  get hasSchedule(): boolean {
    return this.rate instanceof LearningRateSchedule;
  }

  /**
   * The per-step numbers the next update reads (learning rate, bias correction), computed on the
   * host in float64 from the rate and step count: `[lr]` unless an optimizer needs more. A planned
   * step (src/nn/model/planned-step.ts) writes them into an input each step instead of tracing
   * them as constants.
   */
  stepScalars(): number[] {
    return this.scalarsAt(this.learningRate, this.iterations + 1);
  }

  protected scalarsAt(lr: number, _step: number): number[] {
    return [lr];
  }

  /** The slots each trainable variable gets (`m`, `v` for Adam), known before the first update. */
  abstract get slotKeys(): readonly string[];

  /**
   * One update of every variable from its gradient (same order): replaces each variable's value
   * and the optimizer's slots, and counts the step. `scalars`, when given, replace stepScalars()
   * with tensors of shape [].
   */
  applyGradients(
    variables: readonly Trainable[],
    grads: readonly Tensor[],
    scalars?: readonly Tensor[],
  ): void {
    const next = this.update(variables, grads, this.slots, scalars);
    variables.forEach((v, i) => {
      v.value = next.values[i];
    });
    this.slots = next.slots;
    this.iterations++;
  }

  /**
   * The next values of `variables` and the next slots from `slots`, changing nothing (neither
   * the variables, the optimizer's own slots nor its step count): what a traced step computes
   * from its state inputs. The step is the optimizer's next (iterations + 1).
   */
  update(
    variables: readonly { readonly name: string; readonly value: Tensor }[],
    grads: readonly Tensor[],
    slots: ReadonlyMap<string, Tensor>,
    scalars?: readonly Tensor[],
  ): { values: Tensor[]; slots: Map<string, Tensor> } {
    if (variables.length !== grads.length) {
      throw new InvalidArgumentError(
        `${this.className}.applyGradients: ${variables.length} variables but ${grads.length} gradients`,
      );
    }
    variables.forEach((v, i) => {
      if (!shapesEqual(v.value.shape, grads[i].shape)) {
        throw new ShapeError(
          `${this.className}: gradient ${fmtShape(grads[i].shape)} for ${v.name} does not match its shape ${fmtShape(v.value.shape)}`,
        );
      }
    });
    return noGrad(() => {
      const clipped = this.clip(grads);
      const s: StepScalars = scalars ?? this.stepScalars();
      const stepSlots = new StepSlots(this.className, slots);
      const values = variables.map((v, i) => this.updateVariable(v.name, v.value, clipped[i], s, stepSlots));
      return { values, slots: stepSlots.next };
    });
  }

  /**
   * The new value of one variable; reads and writes its slots through `slots`. `s` holds
   * scalarsAt()'s numbers, or tensors of shape [] holding them.
   */
  protected abstract updateVariable(
    name: string,
    w: Tensor,
    g: Tensor,
    s: StepScalars,
    slots: StepSlots,
  ): Tensor;

  private clip(grads: readonly Tensor[]): Tensor[] {
    let out = [...grads];
    const { clipValue, clipNorm } = this.config;
    if (clipValue !== undefined) out = out.map((g) => clip(g, -clipValue, clipValue));
    if (clipNorm !== undefined && out.length > 0) {
      // g * clipNorm / max(norm, clipNorm): unchanged below the threshold, computed on the device.
      const norm = sqrt(out.map((g) => sum(mul(g, g))).reduce((a, b) => add(a, b)));
      const scale = div(clipNorm, where(greater(norm, clipNorm), norm, clipNorm));
      out = out.map((g) => mul(g, scale));
    }
    return out;
  }

  getState(): OptimizerState {
    return { iterations: this.iterations, slots: new Map(this.slots) };
  }

  /** Restores a state from getState (or a checkpoint); slot shapes are checked at the next update. */
  setState(state: OptimizerState): void {
    if (!Number.isInteger(state?.iterations) || state.iterations < 0) {
      throw new InvalidArgumentError(
        `${this.className}.setState: iterations must be a non-negative integer, received ${String(state?.iterations)}`,
      );
    }
    this.iterations = state.iterations;
    this.slots = new Map(state.slots);
  }

  getConfig(): Record<string, unknown> {
    const lr = this.rate;
    return { ...this.config, learningRate: typeof lr === 'number' ? lr : { ...lr.config } };
  }

  serialize(): SerializedOptimizer {
    return { className: this.className, config: this.getConfig() };
  }
}

/** Checks a numeric hyper-parameter lies in [min, max) (or [min, max] when closed). */
export function checkRange(
  owner: string,
  name: string,
  v: number,
  min: number,
  max: number,
  closed = false,
): number {
  if (typeof v !== 'number' || !(v >= min && (closed ? v <= max : v < max))) {
    throw new InvalidArgumentError(
      `${owner}(${name}=${v}): ${name} must be in [${min}, ${max}${closed ? ']' : ')'}`,
    );
  }
  return v;
}
