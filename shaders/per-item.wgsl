// The grid-stride loop of every kernel of independent work items (appended to each by
// declareItemKernel, src/backend/webgpu/declare-kernel.ts): item(i) for every i < params.n.
// Workgroup: WG threads over a 2-D grid of workgroups; each thread handles PER items, WG apart
// (workgroup w covers [w WG PER, (w + 1) WG PER)): CPU-emulated adapters pay a fixed cost per
// invocation and per workgroup, real GPUs still see neighbouring threads read neighbouring words.
@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let first = linearWorkgroup(wid, nwg) * WG * PER + lid;
  let n = params.n;
  for (var k = 0u; k < PER; k++) {
    let i = first + k * WG;
    if (i >= n) {
      return;
    }
    item(i);
  }
}
