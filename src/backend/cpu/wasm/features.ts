/**
 * What the engine's WebAssembly offers, found by validating tiny modules (nothing runs): fixed
 * SIMD (every current browser, Node 16+) and relaxed SIMD's fused multiply-add (Chrome 114+,
 * Firefox 145+; Node 20 only with --experimental-wasm-relaxed-simd).
 */

/** (module (func (result v128) (f32x4.splat (f32.const 0)))) */
const SIMD_PROBE = [
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01,
  0x00, 0x0a, 0x0b, 0x01, 0x09, 0x00, 0x43, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x13, 0x0b,
];

/** (module (func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))) */
const RELAXED_PROBE = [
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00, 0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02,
  0x0b,
];

function validates(bytes: readonly number[]): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(new Uint8Array(bytes));
  } catch {
    return false;
  }
}

let simd: boolean | undefined;
let relaxed: boolean | undefined;

/** WebAssembly with 128-bit SIMD: the kernels' baseline (without it the TypeScript kernels run). */
export function hasSimd(): boolean {
  simd ??= validates(SIMD_PROBE);
  return simd;
}

/** Relaxed SIMD (f32x4.relaxed_madd): kernels assembled with `?relaxed` validate here. */
export function hasRelaxedSimd(): boolean {
  relaxed ??= hasSimd() && validates(RELAXED_PROBE);
  return relaxed;
}
