// One-hot encoding: y[i, d] = 1 if indices[i] == d else 0, for d in [0, depth). Non-integer or
// out-of-range indices give a row of zeros, as on the CPU.
// Bindings: 0 indices (read), 1 y (write), 2 params.
// Params: 0 n (output elements), 1 depth.
// Workgroup: WG threads, each PER output elements WG apart (as unary.wgsl).
@group(0) @binding(0) var<storage, read> indices: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64u;
override PER: u32 = 1u;

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
    let depth = pu(1u);
    y[i] = select(0.0, 1.0, indices[i / depth] == f32(i % depth));
  }
}
