// activationGrad: dx = dy * act'(x), the derivative written with the activation's output y
// (src/graph/ops/fused.ts), OP 1 relu dy (y > 0), 2 sigmoid dy (y (1 - y)), 3 tanh dy (1 - y y):
// the products of the unfused backward ops, in their order, so fused and unfused agree in f32.
// Bindings dy, y (read), dx (write): SHADERS.activationGrad in src/backend/webgpu/shaders.ts.
// Workgroup: one element per item (per-item.wgsl).

fn derivative(v: f32) -> f32 {
  switch OP {
    case 1u: { return select(0.0, 1.0, v > 0.0); }
    case 2u: { return v * (1.0 - v); }
    default: { return 1.0 - v * v; }
  }
}

fn item(i: u32) {
  dx[i] = dy[i] * derivative(y[i]);
}
