// The matmul family's epilogue (fusedMatmul), appended to every matmul-*.wgsl: C = act(C + bias)
// with bias[N] added to every row when BIAS, act chosen by ACT (activation.wgsl: 0 linear, 1 relu,
// 2 sigmoid, 3 tanh). A plain matmul binds b again as the unread bias.

fn epilogue(v: f32, col: u32) -> f32 {
  if (BIAS) {
    return activate(v + bias[col], ACT);
  }
  return activate(v, ACT);
}
