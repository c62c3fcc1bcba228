// activationGrad: dx = dy * act'(x), the derivative written with the activation's output y
// (src/graph/ops/fused.ts), OP 1 relu dy (y > 0), 2 sigmoid dy (y (1 - y)), 3 tanh dy (1 - y y):
// the products of the unfused backward ops, in their order, so fused and unfused agree in f32.
// Bindings: 0 dy (read), 1 y (read), 2 dx (write), 3 params.
// Params: 0 n (elements).
// Workgroup: WG threads, each PER elements WG apart (as unary.wgsl).
@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override OP: u32 = 1u;
override WG: u32 = 64u;
override PER: u32 = 1u;

fn derivative(v: f32) -> f32 {
  switch OP {
    case 1u: { return select(0.0, 1.0, v > 0.0); }
    case 2u: { return v * (1.0 - v); }
    default: { return 1.0 - v * v; }
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
    dx[i] = dy[i] * derivative(y[i]);
  }
}
