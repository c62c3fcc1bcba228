/**
 * The fused optimizer updates (src/graph/ops/optimizer.ts for the math). Each intermediate is
 * rounded to the output's precision, as the unfused ops store theirs, so on the float32 backend
 * the fused and unfused optimizers give the same bits.
 *
 * Each (precision, part) pair has its own loop with Math.fround written out: a rounding function
 * passed in, and the part tested per element, kept these loops several times slower (profiled:
 * a sixth of a W2 epoch). A float32 store rounds by itself, so the outermost fround is left out.
 */
import type { OpParams } from '../../../graph/op-params';
import type { CpuKernels, CpuTensor, FloatArray } from '../types';

const f = Math.fround;

function adam32(
  [w, g, m, v]: readonly FloatArray[],
  o: FloatArray,
  { part, beta1, beta2, epsilon }: OpParams['adamUpdate'],
  a: number,
  d: number,
): void {
  const [b1, c1, b2, c2, eps] = [beta1, 1 - beta1, beta2, 1 - beta2, epsilon].map(f);
  const n = o.length;
  if (part === 'm') {
    for (let i = 0; i < n; i++) o[i] = f(m[i] * b1) + f(g[i] * c1);
  } else if (part === 'v') {
    for (let i = 0; i < n; i++) o[i] = f(v[i] * b2) + f(f(g[i] * g[i]) * c2);
  } else {
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const m1 = f(f(m[i] * b1) + f(gi * c1));
      const v1 = f(f(v[i] * b2) + f(f(gi * gi) * c2));
      const wi = w[i];
      o[i] = f(wi - f(wi * d)) - f(f(m1 / f(f(Math.sqrt(v1)) + eps)) * a);
    }
  }
}

function adam64(
  [w, g, m, v]: readonly FloatArray[],
  o: FloatArray,
  { part, beta1, beta2, epsilon }: OpParams['adamUpdate'],
  a: number,
  d: number,
): void {
  const [b1, c1, b2, c2, eps] = [beta1, 1 - beta1, beta2, 1 - beta2, epsilon];
  const n = o.length;
  if (part === 'm') {
    for (let i = 0; i < n; i++) o[i] = m[i] * b1 + g[i] * c1;
  } else if (part === 'v') {
    for (let i = 0; i < n; i++) o[i] = v[i] * b2 + g[i] * g[i] * c2;
  } else {
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const m1 = m[i] * b1 + gi * c1;
      const v1 = v[i] * b2 + gi * gi * c2;
      const wi = w[i];
      o[i] = wi - wi * d - (m1 / (Math.sqrt(v1) + eps)) * a;
    }
  }
}

function sgd32(
  [w, g, velocity]: readonly FloatArray[],
  o: FloatArray,
  { part, momentum, nesterov }: OpParams['sgdUpdate'],
  lr: number,
): void {
  const mu = f(momentum);
  const n = o.length;
  for (let i = 0; i < n; i++) {
    const step = f(g[i] * lr);
    const v1 = momentum === 0 ? -step : f(velocity[i] * mu) - step;
    if (part === 'velocity') o[i] = v1;
    else o[i] = nesterov ? w[i] + f(f(f(v1) * mu) - step) : w[i] + f(v1);
  }
}

function sgd64(
  [w, g, velocity]: readonly FloatArray[],
  o: FloatArray,
  { part, momentum, nesterov }: OpParams['sgdUpdate'],
  lr: number,
): void {
  const n = o.length;
  for (let i = 0; i < n; i++) {
    const step = g[i] * lr;
    const v1 = momentum === 0 ? -step : velocity[i] * momentum - step;
    if (part === 'velocity') o[i] = v1;
    else o[i] = nesterov ? w[i] + (v1 * momentum - step) : w[i] + v1;
  }
}

const dataOf = (inputs: readonly CpuTensor[]) => inputs.map((t) => t.data);

export const optimizerKernels: CpuKernels<'adamUpdate' | 'sgdUpdate'> = {
  adamUpdate: (inputs, out, params) => {
    const [, , , , alpha, decay] = inputs;
    const update = out.data instanceof Float32Array ? adam32 : adam64;
    update(dataOf(inputs), out.data, params, alpha.data[0], decay.data[0]);
  },
  sgdUpdate: (inputs, out, params) => {
    const update = out.data instanceof Float32Array ? sgd32 : sgd64;
    update(dataOf(inputs), out.data, params, inputs[3].data[0]);
  },
};
