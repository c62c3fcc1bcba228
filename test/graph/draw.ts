/** Seeded test inputs for the gradient checks, drawn away from the points where ops have kinks. */
import { expect } from 'vitest';
import { tensor } from '../../src/graph/engine';
import { hash32, Random } from '../../src/graph/random';
import { type Shape, sizeOf } from '../../src/graph/shape';
import type { Tensor } from '../../src/graph/tensor';

/** Values and shape of one input, kept in float64 so the finite differences see full precision. */
export interface Input {
  readonly shape: Shape;
  readonly values: Float64Array;
}

// A fresh base seed per run, overridable to replay a failure: GRADCHECK_SEED=<base seed printed>.
export const baseSeed = Number(process.env.GRADCHECK_SEED ?? Math.floor(Math.random() * 2 ** 31));
const callsPerTest = new Map<string, number>();

/**
 * A new seed for one draw, derived from the base seed and the test's name (not from the order tests
 * run in), so a failing test replays alone with GRADCHECK_SEED and -t.
 */
export function nextSeed(): number {
  const name = expect.getState().currentTestName ?? '';
  const call = callsPerTest.get(name) ?? 0;
  callsPerTest.set(name, call + 1);
  let h = hash32(baseSeed >>> 0);
  for (let i = 0; i < name.length; i++) h = hash32((h ^ name.charCodeAt(i)) >>> 0);
  return hash32((h + call) >>> 0);
}

/** Draws test inputs; every generator keeps values away from the points where ops have kinks. */
export class Draw {
  readonly rng: Random;

  constructor(readonly seed: number) {
    this.rng = new Random(seed);
  }

  /** Uniform in [low, high). */
  uniform(shape: Shape, low = -1, high = 1): Input {
    return this.make(shape, () => low + (high - low) * this.rng.uniform());
  }

  normal(shape: Shape, scale = 1): Input {
    return this.make(shape, () => scale * this.rng.normal());
  }

  /** |x| in [0.2, 1.5] with a random sign: no value near 0 (relu, abs, sign, leakyRelu, elu kinks). */
  awayFromZero(shape: Shape): Input {
    return this.make(shape, () => (this.rng.uniform() < 0.5 ? -1 : 1) * (0.2 + 1.3 * this.rng.uniform()));
  }

  /**
   * All values different by at least 0.05, in random order: no two near-ties, so a max or a max
   * pool picks the same element at x and at x +- eps.
   */
  distinct(shape: Shape): Input {
    const n = sizeOf(shape);
    const order = this.rng.permutation(n);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = (order[i] - n / 2) * 0.1 + 0.04 * this.rng.uniform();
    return { shape, values };
  }

  /** Integers in [0, n), as float values (indices for gather, scatterAdd, oneHot). */
  indices(shape: Shape, n: number): Input {
    return this.make(shape, () => this.rng.int(n));
  }

  private make(shape: Shape, next: () => number): Input {
    const values = new Float64Array(sizeOf(shape));
    for (let i = 0; i < values.length; i++) values[i] = next();
    return { shape, values };
  }
}

/** A tensor of fixed values inside a checked function: part of f, never differentiated. */
export function constant(input: Input): Tensor {
  return tensor(input.values, input.shape);
}

export function fromValues(shape: Shape, values: readonly number[]): Input {
  return { shape, values: Float64Array.from(values) };
}
