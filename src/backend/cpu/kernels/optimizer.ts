/**
 * The fused optimizer updates (src/graph/ops/optimizer.ts for the math). Each intermediate is
 * rounded to the output's precision, as the unfused ops store theirs, so on the float32 backend
 * the fused and unfused optimizers give the same bits.
 */
import type { CpuKernels, FloatArray } from '../types';

const rounder = (out: FloatArray): ((x: number) => number) =>
  out instanceof Float32Array ? Math.fround : (x) => x;

export const optimizerKernels: CpuKernels<'adamUpdate' | 'sgdUpdate'> = {
  adamUpdate: ([w, g, m, v, alpha, decay], out, { part, beta1, beta2, epsilon }) => {
    const r = rounder(out.data);
    const o = out.data;
    const [b1, c1, b2, c2, eps] = [beta1, 1 - beta1, beta2, 1 - beta2, epsilon].map(r);
    const a = alpha.data[0];
    const d = decay.data[0];
    for (let i = 0; i < o.length; i++) {
      const gi = g.data[i];
      const m1 = r(r(m.data[i] * b1) + r(gi * c1));
      if (part === 'm') {
        o[i] = m1;
        continue;
      }
      const v1 = r(r(v.data[i] * b2) + r(r(gi * gi) * c2));
      if (part === 'v') {
        o[i] = v1;
        continue;
      }
      const wi = w.data[i];
      const decayed = r(wi - r(wi * d));
      o[i] = decayed - r(r(m1 / r(r(Math.sqrt(v1)) + eps)) * a);
    }
  },
  sgdUpdate: ([w, g, velocity, lr], out, { part, momentum, nesterov }) => {
    const r = rounder(out.data);
    const o = out.data;
    const mu = r(momentum);
    const l = lr.data[0];
    for (let i = 0; i < o.length; i++) {
      const step = r(g.data[i] * l);
      const v1 = momentum === 0 ? -step : r(velocity.data[i] * mu) - step;
      if (part === 'velocity') o[i] = v1;
      else o[i] = nesterov ? w.data[i] + r(r(r(v1) * mu) - step) : w.data[i] + r(v1);
    }
  },
};
