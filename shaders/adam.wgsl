// Adam's update of element i (appended to adam-update.wgsl): inputs w, g, m, v, a (alpha),
// d (decay); params beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon. The products and sums
// round in the unfused ops' order.
//   m' = m b1 + g (1 - b1);  v' = v b2 + g g (1 - b2);  w' = (w - w decay) - m' / (sqrt(v') + eps) alpha

fn adamM(i: u32) -> f32 {
  return m[i] * params.beta1 + g[i] * params.oneMinusBeta1;
}

fn adamV(i: u32) -> f32 {
  let gi = g[i];
  return v[i] * params.beta2 + (gi * gi) * params.oneMinusBeta2;
}

fn adamW(i: u32, m1: f32, v1: f32) -> f32 {
  let wi = w[i];
  return (wi - wi * d[0]) - (m1 / (sqrt(v1) + params.epsilon)) * a[0];
}
