/**
 * The fused optimizer updates (src/graph/ops/optimizer.ts for the math). Each intermediate is
 * rounded to the output's precision, as the unfused ops store theirs, so on the float32 backend
 * the fused and unfused optimizers give the same bits.
 *
 * Each precision has its own loop with Math.fround written out: a rounding function passed in kept
 * these loops several times slower (profiled: a sixth of a W2 epoch). A float32 store rounds by
 * itself, so the outermost fround is left out. One loop writes every output: each input is read
 * once per element.
 */
import type { OpParams } from '../../../graph/op-params';
import type { CpuKernels, CpuTensor, FloatArray } from '../types';

const f = Math.fround;

function adam32(
  [w, g, m, v]: readonly FloatArray[],
  [mOut, vOut, wOut]: readonly FloatArray[],
  { beta1, beta2, epsilon }: OpParams['adamUpdate'],
  a: number,
  d: number,
): void {
  const [b1, c1, b2, c2, eps] = [beta1, 1 - beta1, beta2, 1 - beta2, epsilon].map(f);
  const n = wOut.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const m1 = f(f(m[i] * b1) + f(gi * c1));
    const v1 = f(f(v[i] * b2) + f(f(gi * gi) * c2));
    const wi = w[i];
    mOut[i] = m1;
    vOut[i] = v1;
    wOut[i] = f(wi - f(wi * d)) - f(f(m1 / f(f(Math.sqrt(v1)) + eps)) * a);
  }
}

function adam64(
  [w, g, m, v]: readonly FloatArray[],
  [mOut, vOut, wOut]: readonly FloatArray[],
  { beta1, beta2, epsilon }: OpParams['adamUpdate'],
  a: number,
  d: number,
): void {
  const [b1, c1, b2, c2, eps] = [beta1, 1 - beta1, beta2, 1 - beta2, epsilon];
  const n = wOut.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const m1 = m[i] * b1 + gi * c1;
    const v1 = v[i] * b2 + gi * gi * c2;
    const wi = w[i];
    mOut[i] = m1;
    vOut[i] = v1;
    wOut[i] = wi - wi * d - (m1 / (Math.sqrt(v1) + eps)) * a;
  }
}

/** outs: [velocity', w'] with momentum, [w'] without (the velocity is then not read). */
function sgd32(
  [w, g, velocity]: readonly FloatArray[],
  outs: readonly FloatArray[],
  { momentum, nesterov }: OpParams['sgdUpdate'],
  lr: number,
): void {
  const mu = f(momentum);
  const wOut = outs[outs.length - 1];
  const n = wOut.length;
  if (momentum === 0) {
    for (let i = 0; i < n; i++) {
      const step = f(g[i] * lr);
      wOut[i] = nesterov ? w[i] + f(f(f(-step) * mu) - step) : w[i] + f(-step);
    }
    return;
  }
  const vOut = outs[0];
  for (let i = 0; i < n; i++) {
    const step = f(g[i] * lr);
    const v1 = f(f(velocity[i] * mu) - step);
    vOut[i] = v1;
    wOut[i] = nesterov ? w[i] + f(f(v1 * mu) - step) : w[i] + v1;
  }
}

function sgd64(
  [w, g, velocity]: readonly FloatArray[],
  outs: readonly FloatArray[],
  { momentum, nesterov }: OpParams['sgdUpdate'],
  lr: number,
): void {
  const wOut = outs[outs.length - 1];
  const vOut = momentum === 0 ? null : outs[0];
  const n = wOut.length;
  for (let i = 0; i < n; i++) {
    const step = g[i] * lr;
    const v1 = momentum === 0 ? -step : velocity[i] * momentum - step;
    if (vOut) vOut[i] = v1;
    wOut[i] = nesterov ? w[i] + (v1 * momentum - step) : w[i] + v1;
  }
}

const dataOf = (tensors: readonly CpuTensor[]) => tensors.map((t) => t.data);

export const optimizerKernels: CpuKernels<'adamUpdate' | 'sgdUpdate'> = {
  adamUpdate: (inputs, outs, params) => {
    const [, , , , alpha, decay] = inputs;
    const update = outs[0].data instanceof Float32Array ? adam32 : adam64;
    update(dataOf(inputs), dataOf(outs), params, alpha.data[0], decay.data[0]);
  },
  sgdUpdate: (inputs, outs, params) => {
    const update = outs[0].data instanceof Float32Array ? sgd32 : sgd64;
    update(dataOf(inputs), dataOf(outs), params, inputs[3].data[0]);
  },
};
