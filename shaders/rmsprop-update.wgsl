// RMSprop's update of element i, the rmspropUpdate op (src/graph/ops/optimizer.ts):
//   v' = v rho + g g (1 - rho);  centred: a' = a rho + g (1 - rho)
//   increment = g lr / sqrt((v' + eps) [- a' a']);  momentum' = momentum mu + increment
//   w' = w - increment (mu 0) or w - momentum'
// Bindings w, g, velocity, average (the average gradient), slot (the momentum slot), lr (one
// element), all read, then the outputs the configuration keeps (velocityOut, averageOut when
// centred, momentumOut with momentum, wOut), written by the `fn item` SHADERS.rmspropUpdate in
// src/backend/webgpu/shaders.ts generates after this file; params rho, oneMinusRho, momentum,
// epsilon, centered (0/1). Products and sums round to f32 like the unfused ops' stored results.
// Workgroup: one element per item (per-item.wgsl).

struct RmspropStep {
  velocity: f32,
  average: f32,
  momentum: f32,
  w: f32,
}

fn rmspropStep(i: u32) -> RmspropStep {
  let gi = g[i];
  let v1 = velocity[i] * params.rho + (gi * gi) * params.oneMinusRho;
  let centred = params.centered != 0u;
  var a1 = 0.0;
  if (centred) {
    a1 = average[i] * params.rho + gi * params.oneMinusRho;
  }
  var denominator = v1 + params.epsilon;
  if (centred) {
    denominator = denominator - a1 * a1;
  }
  let increment = (gi * lr[0]) / sqrt(denominator);
  var m1 = increment;
  if (params.momentum != 0.0) {
    m1 = slot[i] * params.momentum + increment;
  }
  return RmspropStep(v1, a1, m1, w[i] - m1);
}
