// SGD's update of element i, the sgdUpdate op (src/graph/ops/optimizer.ts):
//   velocity' = velocity momentum - g lr  (momentum 0: -(g lr), velocity unread)
//   w' = w + velocity', or with Nesterov w + (velocity' momentum - g lr)
// Bindings w, g, velocity, lr (one element), all read, then the outputs the configuration keeps
// (velocityOut with momentum, wOut), written by the `fn item` SHADERS.sgdUpdate in
// src/backend/webgpu/shaders.ts generates after this file; params momentum, nesterov (0/1).
// Each product and sum is rounded to f32 like the unfused ops' stored results.
// Workgroup: one element per item (per-item.wgsl).

struct SgdStep {
  velocity: f32,
  w: f32,
}

fn sgdStep(i: u32) -> SgdStep {
  let momentum = params.momentum;
  let step = g[i] * lr[0];
  var v1 = -step;
  if (momentum != 0.0) {
    v1 = velocity[i] * momentum - step;
  }
  var w1 = w[i] + v1;
  if (params.nesterov != 0u) {
    w1 = w[i] + (v1 * momentum - step);
  }
  return SgdStep(v1, w1);
}
