/**
 * The fused RMSprop update (src/graph/ops/optimizer.ts for the math). Each intermediate is rounded
 * to the output's precision in the order the unfused optimizer's ops store theirs, so on the
 * float32 backend fused and unfused RMSprop give the same bits. One loop writes every output
 * (op-params.ts `outputNames`: velocity', average' when centred, momentum' with momentum, w').
 */
import type { CpuKernels } from '../types';
import { roundingOf } from './rounding';

export const rmspropKernels: CpuKernels<'rmspropUpdate'> = {
  rmspropUpdate: ([w, g, velocity, average, slot, lr], outs, params) => {
    const r = roundingOf(outs[0].data);
    const { centered } = params;
    const [rho, keep, eps, mu] = [params.rho, 1 - params.rho, params.epsilon, params.momentum].map(r);
    const l = lr.data[0];
    const vOut = outs[0].data;
    const aOut = centered ? outs[1].data : null;
    const mOut = params.momentum === 0 ? null : outs[outs.length - 2].data;
    const wOut = outs[outs.length - 1].data;
    for (let i = 0; i < wOut.length; i++) {
      const gi = g.data[i];
      const v1 = r(r(velocity.data[i] * rho) + r(r(gi * gi) * keep));
      vOut[i] = v1;
      const a1 = centered ? r(r(average.data[i] * rho) + r(gi * keep)) : 0;
      if (aOut) aOut[i] = a1;
      const denominator = centered ? r(r(v1 + eps) - r(a1 * a1)) : r(v1 + eps);
      const increment = r(r(gi * l) / r(Math.sqrt(denominator)));
      const m1 = mOut ? r(r(slot.data[i] * mu) + increment) : increment;
      if (mOut) mOut[i] = m1;
      wOut[i] = w.data[i] - m1;
    }
  },
};
