// Adam's whole update of a weight in one pass (adam.wgsl for the formulas): m', v' and w' written
// together, each input read once. The step executor runs this in place of the three adamUpdate
// parts of one weight when they come together in a traced step (src/backend/webgpu/plan.ts); the
// eager path keeps one dispatch per part, since an op has one output.
// Bindings: 0 w, 1 g, 2 m, 3 v, 4 a: alpha, 5 d: decay (one element each), 6 m', 7 v', 8 w' (write),
//   9 params.
// Params: 0 n, 1 b1, 2 1 - b1, 3 b2, 4 1 - b2, 5 eps.
// Workgroup: WG threads, each PER elements WG apart (as unary.wgsl).
@group(0) @binding(0) var<storage, read> w: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> m: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> a: array<f32>;
@group(0) @binding(5) var<storage, read> d: array<f32>;
@group(0) @binding(6) var<storage, read_write> mOut: array<f32>;
@group(0) @binding(7) var<storage, read_write> vOut: array<f32>;
@group(0) @binding(8) var<storage, read_write> wOut: array<f32>;
@group(0) @binding(9) var<uniform> params: Params;

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
    let m1 = adamM(i);
    let v1 = adamV(i);
    mOut[i] = m1;
    vOut[i] = v1;
    wOut[i] = adamW(i, m1, v1);
  }
}
