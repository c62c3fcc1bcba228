// Unary elementwise ops: y[i] = f(x[i]), f chosen by the override constant OP:
//   0 neg -x        1 exp e^x        2 log ln x          3 sqrt           4 abs |x|
//   5 sign          6 relu max(x,0)  7 sigmoid 1/(1+e^-x) 8 tanh          9 leakyRelu x>0 ? x : alpha x
//  10 elu x>0 ? x : alpha (e^x - 1)  11 clip min(max(x, lo), hi)
// sigmoid, tanh and elu use forms that stay accurate near 0 and for large |x| (activation.wgsl).
// Bindings x (read), y (write); params alpha, lo, hi (f32): SHADERS.unary in src/backend/webgpu/shaders.ts.
// Workgroup: one element per item (per-item.wgsl).

fn apply(v: f32) -> f32 {
  switch OP {
    case 0u: { return -v; }
    case 1u: { return exp(v); }
    case 2u: { return logAccurate(v); }
    case 3u: { return sqrt(v); }
    case 4u: { return abs(v); }
    case 5u: { return sign(v); }
    case 6u: { return max(v, 0.0); }
    case 7u: { return sigmoid(v); }
    case 8u: { return tanhAccurate(v); }
    case 9u: { return select(params.alpha * v, v, v > 0.0); }
    case 10u: { return select(params.alpha * expm1(v), v, v > 0.0); }
    default: { return min(max(v, params.lo), params.hi); }
  }
}

fn item(i: u32) {
  y[i] = apply(x[i]);
}
