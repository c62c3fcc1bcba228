import type { FloatArray } from '../types';

/**
 * Rounds like a store into `out`: float32 for the float32 backend, nothing for float64. Fused
 * kernels round each intermediate with it, as the unfused ops' stored results are rounded, so on
 * the float32 backend fused and unfused give the same bits.
 */
export function roundingOf(out: FloatArray): (x: number) => number {
  return out instanceof Float32Array ? Math.fround : (x) => x;
}
