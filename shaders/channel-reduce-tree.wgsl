// Per-channel reductions of batch normalisation, one workgroup per channel: the same outputs as
// channel-reduce.wgsl (see its header for MODE and the params), for few long channels (a conv
// layer's C channels of batch x height x width elements). Each thread folds a strided share of the
// channel (channel-fold.wgsl), then `total` below, a tree in workgroup memory, adds the WG partial
// sums; the moments do this twice, the mean first. The entry point is channel-reduce-workgroup.wgsl's,
// shared with channel-reduce-subgroup.wgsl (the same with subgroup operations).
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
