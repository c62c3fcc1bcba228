// Fused optimizer updates, one output tensor per dispatch (src/graph/ops/optimizer.ts):
//   OP 0, Adam:  m' = m b1 + g (1 - b1);  v' = v b2 + g g (1 - b2)
//                w' = (w - w decay) - m' / (sqrt(v') + eps) alpha;  PART 0 m', 1 v', 2 w'
//   OP 1, SGD:   velocity' = velocity momentum - g lr  (momentum 0: -(g lr), velocity unread)
//                w' = w + velocity', or with Nesterov w + (velocity' momentum - g lr);
//                PART 0 velocity', 1 w'
//   OP 2, RMSprop: v' = v rho + g g (1 - rho);  centred: a' = a rho + g (1 - rho)
//                increment = g lr / sqrt((v' + eps) [- a' a']);  momentum' = momentum mu + increment
//                w' = w - increment (mu 0) or w - momentum';  PART 0 v', 1 a', 2 momentum', 3 w'
// Bindings w, g, m (Adam), velocity (SGD, RMSprop), v (Adam), average gradient (RMSprop; SGD binds
//   velocity again), a: alpha (Adam) or lr (SGD, RMSprop), of one element, d: decay (Adam, one
//   element; SGD binds lr again) or the momentum slot (RMSprop), all read, and y (write); params
//   each optimizer's own (Adam's as adam.wgsl's; SGD momentum, nesterov; RMSprop rho, oneMinusRho,
//   momentum, epsilon, centered): SHADERS.optimizer in src/backend/webgpu/shaders.ts.
// Each product and sum is rounded to f32 like the unfused ops' stored results; fma contraction
// aside, the fused and unfused steps agree to the last bits.
// Workgroup: one element per item (per-item.wgsl).

fn adam(i: u32) -> f32 {
  if (PART == 0u) {
    return adamM(i);
  }
  if (PART == 1u) {
    return adamV(i);
  }
  return adamW(i, adamM(i), adamV(i));
}

fn sgd(i: u32) -> f32 {
  let momentum = params.momentum;
  let step = g[i] * a[0];
  var v1 = -step;
  if (momentum != 0.0) {
    v1 = m[i] * momentum - step;
  }
  if (PART == 0u) {
    return v1;
  }
  if (params.nesterov != 0u) {
    return w[i] + (v1 * momentum - step);
  }
  return w[i] + v1;
}

fn rmsprop(i: u32) -> f32 {
  let gi = g[i];
  let v1 = m[i] * params.rho + (gi * gi) * params.oneMinusRho;
  if (PART == 0u) {
    return v1;
  }
  let centred = params.centered != 0u;
  var a1 = 0.0;
  if (centred) {
    a1 = v[i] * params.rho + gi * params.oneMinusRho;
  }
  if (PART == 1u) {
    return a1;
  }
  var denominator = v1 + params.epsilon;
  if (centred) {
    denominator = denominator - a1 * a1;
  }
  let increment = (gi * a[0]) / sqrt(denominator);
  var m1 = increment;
  if (params.momentum != 0.0) {
    m1 = d[i] * params.momentum + increment;
  }
  if (PART == 2u) {
    return m1;
  }
  return w[i] - m1;
}

fn item(i: u32) {
  if (OP == 0u) {
    y[i] = adam(i);
  } else if (OP == 1u) {
    y[i] = sgd(i);
  } else {
    y[i] = rmsprop(i);
  }
}
