// Per-channel reductions of batch normalisation, one workgroup per channel: the same outputs as
// channel-reduce.wgsl (see its header for MODE and the params), for few long channels (a conv
// layer's C channels of batch x height x width elements). Each thread folds a strided share of the
// channel (channel-fold.wgsl), then a tree in workgroup memory adds the WG partial sums; the
// moments do this twice, the mean first.
// Bindings and params as channel-reduce.wgsl's: SHADERS.channelReduceTree in src/backend/webgpu/shaders.ts.
// Workgroup: WG threads (a power of two) per channel.

var<workgroup> part0: array<f32, WG>;
var<workgroup> part1: array<f32, WG>;

// The workgroup's total of each thread's pair; every thread gets it.
fn total(lid: u32, v: vec2<f32>) -> vec2<f32> {
  part0[lid] = v.x;
  part1[lid] = v.y;
  workgroupBarrier();
  for (var width = WG / 2u; width > 0u; width /= 2u) {
    if (lid < width) {
      part0[lid] += part0[lid + width];
      part1[lid] += part1[lid + width];
    }
    workgroupBarrier();
  }
  let sums = vec2<f32>(part0[0], part1[0]);
  workgroupBarrier();
  return sums;
}

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
