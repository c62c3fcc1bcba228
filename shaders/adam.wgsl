// Adam's update of element i (appended to optimizer.wgsl and adam-step.wgsl), in the words and
// bindings both share: inputs w, g, m, v, a (alpha), d (decay); params 1 b1, 2 1 - b1, 3 b2,
// 4 1 - b2, 5 eps. The products and sums round in the unfused ops' order.
//   m' = m b1 + g (1 - b1);  v' = v b2 + g g (1 - b2);  w' = (w - w decay) - m' / (sqrt(v') + eps) alpha

fn adamM(i: u32) -> f32 {
  return m[i] * pf(1u) + g[i] * pf(2u);
}

fn adamV(i: u32) -> f32 {
  let gi = g[i];
  return v[i] * pf(3u) + (gi * gi) * pf(4u);
}

fn adamW(i: u32, m1: f32, v1: f32) -> f32 {
  let wi = w[i];
  return (wi - wi * d[0]) - (m1 / (sqrt(v1) + pf(5u))) * a[0];
}
