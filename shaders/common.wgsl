// Helpers appended to the end of every kernel (so line numbers in compile errors match the
// kernel's own file). The bindings, `params: Params` and the overrides are generated from each
// kernel's declaration (src/backend/webgpu/shaders.ts) and appended before these.

// Dispatches wider than 65535 workgroups are split over y; this is the workgroup's linear number.
fn linearWorkgroup(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wid.x + wid.y * nwg.x;
}

// -infinity built at run time: a constant expression may not produce an infinity.
fn negInf() -> f32 {
  var bits = 0xff800000u;
  return bitcast<f32>(bits);
}

fn nan() -> f32 {
  var bits = 0x7fc00000u;
  return bitcast<f32>(bits);
}

// Whether v is NaN, from its bits: WGSL lets a compiler assume no NaN in float comparisons
// (SwiftShader folds v != v to false), never in integer ones.
fn isNan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// ln(1 + f) for f > -1: WGSL only bounds log's absolute error near 1, where the result is small,
// so for |f| < 0.25 we use ln(1 + f) = 2 atanh(s), s = f / (2 + f), as a series (f itself never
// goes through 1 + f, which would round its low bits away).
fn log1pAccurate(f: f32) -> f32 {
  if (abs(f) >= 0.25) {
    return log(1.0 + f);
  }
  let s = f / (2.0 + f);
  let s2 = s * s;
  var t = 1.0 / 13.0;
  for (var k = 11.0; k >= 1.0; k -= 2.0) {
    t = 1.0 / k + s2 * t;
  }
  return 2.0 * s * t;
}

// ln x, accurate near 1 too (x - 1 is exact there).
fn logAccurate(v: f32) -> f32 {
  return log1pAccurate(v - 1.0);
}
