// Fused optimizer updates, one output tensor per dispatch (src/graph/ops/optimizer.ts):
//   OP 0, Adam:  m' = m b1 + g (1 - b1);  v' = v b2 + g g (1 - b2)
//                w' = (w - w decay) - m' / (sqrt(v') + eps) alpha;  PART 0 m', 1 v', 2 w'
//   OP 1, SGD:   velocity' = velocity momentum - g lr  (momentum 0: -(g lr), velocity unread)
//                w' = w + velocity', or with Nesterov w + (velocity' momentum - g lr);
//                PART 0 velocity', 1 w'
//   OP 2, RMSprop: v' = v rho + g g (1 - rho);  centred: a' = a rho + g (1 - rho)
//                increment = g lr / sqrt((v' + eps) [- a' a']);  momentum' = momentum mu + increment
//                w' = w - increment (mu 0) or w - momentum';  PART 0 v', 1 a', 2 momentum', 3 w'
// Bindings: 0 w, 1 g, 2 m (Adam), velocity (SGD, RMSprop), 3 v (Adam), average gradient
//   (RMSprop; SGD binds velocity again), 4 a: alpha (Adam) or lr (SGD, RMSprop), of one element,
//   5 d: decay (Adam, one element; SGD binds lr again) or the momentum slot (RMSprop),
//   6 y (write), 7 params.
// Params: 0 n, 1 b1, momentum (SGD) or rho, 2 1 - b1 or 1 - rho, 3 b2 or RMSprop's momentum,
//   4 1 - b2, 5 eps, 6 nesterov or centred (u32 0/1).
// Each product and sum is rounded to f32 like the unfused ops' stored results; fma contraction
// aside, the fused and unfused steps agree to the last bits.
// Workgroup: WG threads, each PER elements WG apart (as unary.wgsl).
@group(0) @binding(0) var<storage, read> w: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> m: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> a: array<f32>;
@group(0) @binding(5) var<storage, read> d: array<f32>;
@group(0) @binding(6) var<storage, read_write> y: array<f32>;
@group(0) @binding(7) var<uniform> params: Params;

override OP: u32 = 0u;
override PART: u32 = 0u;
override WG: u32 = 64u;
override PER: u32 = 1u;

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
  let momentum = pf(1u);
  let step = g[i] * a[0];
  var v1 = -step;
  if (momentum != 0.0) {
    v1 = m[i] * momentum - step;
  }
  if (PART == 0u) {
    return v1;
  }
  if (pu(6u) != 0u) {
    return w[i] + (v1 * momentum - step);
  }
  return w[i] + v1;
}

fn rmsprop(i: u32) -> f32 {
  let gi = g[i];
  let v1 = m[i] * pf(1u) + (gi * gi) * pf(2u);
  if (PART == 0u) {
    return v1;
  }
  let centred = pu(6u) != 0u;
  var a1 = 0.0;
  if (centred) {
    a1 = v[i] * pf(1u) + gi * pf(2u);
  }
  if (PART == 1u) {
    return a1;
  }
  var denominator = v1 + pf(5u);
  if (centred) {
    denominator = denominator - a1 * a1;
  }
  let increment = (gi * a[0]) / sqrt(denominator);
  var m1 = increment;
  if (pf(3u) != 0.0) {
    m1 = d[i] * pf(3u) + increment;
  }
  if (PART == 2u) {
    return m1;
  }
  return w[i] - m1;
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let first = linearWorkgroup(wid, nwg) * WG * PER + lid;
  for (var k = 0u; k < PER; k++) {
    let i = first + k * WG;
    if (i >= pu(0u)) {
      return;
    }
    if (OP == 0u) {
      y[i] = adam(i);
    } else if (OP == 1u) {
      y[i] = sgd(i);
    } else {
      y[i] = rmsprop(i);
    }
  }
}
