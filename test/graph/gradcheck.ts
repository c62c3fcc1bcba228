/**
 * Gradient checking: reverse-mode gradients against central finite differences.
 *
 * Both sides run on the CPU backend in float64, so the only error left is the finite-difference
 * one: truncation ~ eps^2 |f'''| and rounding ~ 1e-16 |f| / eps, both far below the 1e-6 tolerance
 * with eps = 1e-6 and the small, well-scaled inputs the tests draw.
 *
 * Error measure, per gradient element: |autodiff - numeric| / max(1, |autodiff|, |numeric|), i.e.
 * relative for large gradients and absolute for small ones, so a gradient of 1e-9 that should be 0
 * does not count as a 100% error. The check reports the maximum over every element of every input.
 */
import { expect } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import type { FloatArray } from '../../src/backend/cpu/types';
import { valueAndGrad } from '../../src/graph/autodiff';
import type { KernelInput } from '../../src/graph/backend';
import { noGrad, tensor, withBackend } from '../../src/graph/engine';
import type { OpName, OpParams } from '../../src/graph/op-params';
import { mul, sum } from '../../src/graph/ops';
import { Random } from '../../src/graph/random';
import type { Shape } from '../../src/graph/shape';
import type { Tensor } from '../../src/graph/tensor';
import { baseSeed, type Input } from './draw';

/** Every op run while `recording` is on, so a test can prove the suite covers the whole op table. */
export const exercisedOps = new Set<OpName>();

/** The float64 CPU backend, noting which ops the forward pass of a checked function runs. */
class RecordingBackend extends CpuBackend {
  recording = false;

  constructor() {
    super('float64');
  }

  override run<K extends OpName>(
    op: K,
    inputs: readonly KernelInput<FloatArray>[],
    outShapes: readonly Shape[],
    params: OpParams[K],
  ): FloatArray[] {
    if (this.recording) exercisedOps.add(op);
    return super.run(op, inputs, outShapes, params);
  }
}

export const f64 = new RecordingBackend();

export { constant, Draw, fromValues, type Input, nextSeed } from './draw';

export type Fn = (...inputs: Tensor[]) => Tensor;

/** The values of a CPU tensor at full precision (dataSync rounds float64 storage to float32). */
export function read64(t: Tensor): Float64Array {
  if (!(t.backend instanceof CpuBackend)) throw new Error(`read64: ${t} is not on a CPU backend`);
  return Float64Array.from(t.storage as ArrayLike<number>);
}

/**
 * f reduced to a scalar: sum(f(...) * r) with r fixed random weights of f's output shape, so every
 * output element contributes to the gradient with its own weight.
 */
function scalarised(f: Fn, seed: number): Fn {
  let weights: Float64Array | null = null;
  return (...xs) => {
    const y = f(...xs);
    if (y.size === 1) return sum(y);
    if (!weights || weights.length !== y.size) {
      const rng = new Random(seed ^ 0x5ca1ab1e);
      weights = Float64Array.from({ length: y.size }, () => 0.5 + rng.uniform());
    }
    return sum(mul(y, tensor(weights, y.shape)));
  };
}

/** Central differences of f in float64: (f(x + eps e_j) - f(x - eps e_j)) / 2 eps for every element. */
export function numericGradients(f: Fn, inputs: readonly Input[], eps = 1e-6): Float64Array[] {
  return withBackend(f64, () =>
    noGrad(() =>
      inputs.map((input, i) => {
        const g = new Float64Array(input.values.length);
        const shifted = input.values.slice();
        const at = (values: Float64Array): number => {
          const args = inputs.map((x, k) => tensor(k === i ? values : x.values, x.shape));
          return read64(f(...args))[0];
        };
        for (let j = 0; j < shifted.length; j++) {
          const x0 = input.values[j];
          shifted[j] = x0 + eps;
          const up = at(shifted);
          shifted[j] = x0 - eps;
          const down = at(shifted);
          shifted[j] = x0;
          g[j] = (up - down) / (2 * eps);
        }
        return g;
      }),
    ),
  );
}

/** Reverse-mode gradients of f on `backend` (float64 by default), read back in full precision. */
export function autodiffGradients(
  f: Fn,
  inputs: readonly Input[],
  backend: CpuBackend = f64,
): Float64Array[] {
  return withBackend(backend, () => {
    const args = inputs.map((x) => tensor(x.values, x.shape));
    return valueAndGrad(f)(...args).grads.map(read64);
  });
}

export interface GradientReport {
  maxError: number;
  /** Where the worst element is: "input 1 [5]: autodiff 0.12, numeric 0.13". */
  worst: string;
}

/**
 * `floor` is the denominator's lower bound: 1 for float64 (absolute error for gradients below 1);
 * 'scale' uses the largest numeric gradient of each input instead, so small float32 gradients are
 * still measured relative to their own size.
 */
export function compareGradients(
  analytic: readonly Float64Array[],
  numeric: readonly Float64Array[],
  floor: number | 'scale' = 1,
): GradientReport {
  let maxError = 0;
  let worst = 'no elements';
  analytic.forEach((a, i) => {
    expect(a.length, `gradient ${i} has ${a.length} elements, expected ${numeric[i].length}`).toBe(
      numeric[i].length,
    );
    const low = floor === 'scale' ? numeric[i].reduce((m, v) => Math.max(m, Math.abs(v)), 1e-30) : floor;
    a.forEach((av, j) => {
      const nv = numeric[i][j];
      const error = Math.abs(av - nv) / Math.max(low, Math.abs(av), Math.abs(nv));
      // NaN must fail the check, and NaN > x is false, hence the explicit test.
      if (Number.isNaN(error) || error > maxError || worst === 'no elements') {
        maxError = Number.isNaN(error) ? Number.POSITIVE_INFINITY : Math.max(error, maxError);
        worst = `input ${i} [${j}]: autodiff ${av}, numeric ${nv}`;
      }
    });
  });
  return { maxError, worst };
}

export interface CheckOptions {
  /** Printed on failure so the case can be replayed. */
  seed: number;
  tolerance?: number;
  eps?: number;
}

/**
 * Asserts that valueAndGrad of f agrees with central finite differences for every element of every
 * input, in float64. A non-scalar f is checked through sum(f * r) with fixed random r.
 */
export function checkGradients(f: Fn, inputs: readonly Input[], options: CheckOptions): GradientReport {
  withBackend(f64, () =>
    noGrad(() => {
      const args = inputs.map((x) => tensor(x.values, x.shape));
      f64.recording = true;
      try {
        f(...args);
      } finally {
        f64.recording = false;
      }
    }),
  );
  const g = scalarised(f, options.seed);
  const report = compareGradients(autodiffGradients(g, inputs), numericGradients(g, inputs, options.eps));
  expect(
    report.maxError,
    `gradient check failed, seed ${options.seed} (replay: GRADCHECK_SEED=${baseSeed} and -t with this test's name): ${report.worst}`,
  ).toBeLessThan(options.tolerance ?? 1e-6);
  return report;
}

const f32 = new CpuBackend('float32');

/**
 * The product path: autodiff on the float32 CPU backend against float64 finite differences.
 * Error per element: |autodiff - numeric| / max(s, |autodiff|, |numeric|) with s the largest
 * |numeric| of that input, i.e. relative to the input's gradient scale however small it is.
 * float32 carries ~7 digits, so the tolerance is 1e-3 by default.
 */
export function checkFloat32Gradients(
  f: Fn,
  inputs: readonly Input[],
  options: CheckOptions,
): GradientReport {
  const g = scalarised(f, options.seed);
  const report = compareGradients(
    autodiffGradients(g, inputs, f32),
    numericGradients(g, inputs, options.eps),
    'scale',
  );
  expect(
    report.maxError,
    `float32 gradient check failed, seed ${options.seed} (replay: GRADCHECK_SEED=${baseSeed} and -t with this test's name): ${report.worst}`,
  ).toBeLessThan(options.tolerance ?? 1e-3);
  return report;
}
