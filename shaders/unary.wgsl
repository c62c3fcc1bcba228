// Unary elementwise ops: y[i] = f(x[i]), f chosen by the override constant OP:
//   0 neg -x        1 exp e^x        2 log ln x          3 sqrt           4 abs |x|
//   5 sign          6 relu max(x,0)  7 sigmoid 1/(1+e^-x) 8 tanh          9 leakyRelu x>0 ? x : alpha x
//  10 elu x>0 ? x : alpha (e^x - 1)  11 clip min(max(x, lo), hi)
// sigmoid, tanh and elu use forms that stay accurate near 0 and for large |x| (activation.wgsl).
// Bindings: 0 x (read), 1 y (write), 2 params.
// Params: 0 n (elements), 1 alpha or lo (f32), 2 hi (f32).
// Workgroup: WG threads over a 2-D grid of workgroups; each thread handles PER elements, WG apart
// (workgroup w covers [w WG PER, (w + 1) WG PER)): CPU-emulated adapters pay a fixed cost per
// invocation and per workgroup, real GPUs still see neighbouring threads read neighbouring words.
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override OP: u32 = 0u;
override WG: u32 = 64u;
override PER: u32 = 1u;

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
    case 9u: { return select(pf(1u) * v, v, v > 0.0); }
    case 10u: { return select(pf(1u) * expm1(v), v, v > 0.0); }
    default: { return min(max(v, pf(1u)), pf(2u)); }
  }
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let first = linearWorkgroup(wid, nwg) * WG * PER + lid;
  let n = pu(0u);
  for (var k = 0u; k < PER; k++) {
    let i = first + k * WG;
    if (i >= n) {
      return;
    }
    y[i] = apply(x[i]);
  }
}
