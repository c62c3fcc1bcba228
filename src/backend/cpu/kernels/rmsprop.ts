/**
 * The fused RMSprop update (src/graph/ops/optimizer.ts for the math). Each intermediate is rounded
 * to the output's precision in the order the unfused optimizer's ops store theirs, so on the
 * float32 backend fused and unfused RMSprop give the same bits.
 */
import type { CpuKernels } from '../types';
import { roundingOf } from './rounding';

export const rmspropKernels: CpuKernels<'rmspropUpdate'> = {
  rmspropUpdate: ([w, g, velocity, average, slot, lr], out, params) => {
    const r = roundingOf(out.data);
    const { part, centered } = params;
    const [rho, keep, eps, mu] = [params.rho, 1 - params.rho, params.epsilon, params.momentum].map(r);
    const l = lr.data[0];
    const o = out.data;
    for (let i = 0; i < o.length; i++) {
      const gi = g.data[i];
      const v1 = r(r(velocity.data[i] * rho) + r(r(gi * gi) * keep));
      if (part === 'velocity') {
        o[i] = v1;
        continue;
      }
      const a1 = centered ? r(r(average.data[i] * rho) + r(gi * keep)) : 0;
      if (part === 'average') {
        o[i] = a1;
        continue;
      }
      const denominator = centered ? r(r(v1 + eps) - r(a1 * a1)) : r(v1 + eps);
      const increment = r(r(gi * l) / r(Math.sqrt(denominator)));
      const m1 = params.momentum === 0 ? increment : r(r(slot.data[i] * mu) + increment);
      o[i] = part === 'momentum' ? m1 : w.data[i] - m1;
    }
  },
};
