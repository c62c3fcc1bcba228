// Activation functions shared by the unary kernel and the matmul epilogue (appended to both), and
// `activate`, the epilogue's choice by code: 0 linear, 1 relu, 2 sigmoid, 3 tanh.

// e^x - 1 without cancellation near 0: a Taylor series (Horner form, terms to x^11, relative
// error below 1e-9 for |x| < 0.5) there, e^x - 1 beyond, where the subtraction loses at most a bit.
// (Kahan's log-ratio trick needs an accurate log near 1, which WGSL does not promise.)
fn expm1(v: f32) -> f32 {
  if (abs(v) >= 0.5) {
    return exp(v) - 1.0;
  }
  var t = 1.0;
  for (var k = 11.0; k >= 2.0; k -= 1.0) {
    t = 1.0 + v / k * t;
  }
  return v * t;
}

fn sigmoid(v: f32) -> f32 {
  let e = exp(-abs(v));
  if (v >= 0.0) {
    return 1.0 / (1.0 + e);
  }
  return e / (1.0 + e);
}

fn tanhAccurate(v: f32) -> f32 {
  let m = expm1(-2.0 * abs(v));
  return -sign(v) * m / (2.0 + m);
}

fn activate(v: f32, act: u32) -> f32 {
  switch act {
    case 1u: { return max(v, 0.0); }
    case 2u: { return sigmoid(v); }
    case 3u: { return tanhAccurate(v); }
    default: { return v; }
  }
}
