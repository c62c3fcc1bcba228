// Shared by channel-reduce-tree.wgsl and channel-reduce-subgroup.wgsl (appended to both): the entry
// point of one workgroup per channel. The kernel's own `total(lid, v)` gives every thread the
// workgroup's sum of each thread's pair, and may be called again at once.

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  // One workgroup per channel, so c is uniform and every barrier is reached by all threads.
  let c = linearWorkgroup(wid, nwg);
  let channels = params.channels;
  let n = f32(params.perChannel);
  let first = total(lid, fold(c, lid, WG, 0u, 0.0));
  if (MODE == 1u) {
    if (lid == 0u) {
      out[c] = first.x;
      out[channels + c] = first.y;
    }
    return;
  }
  let mean = first.x / n;
  let squares = total(lid, fold(c, lid, WG, 1u, mean));
  if (lid == 0u) {
    out[c] = mean;
    out[channels + c] = squares.x / n;
  }
}
