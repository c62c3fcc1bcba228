// Per-channel reductions of batch normalisation (src/graph/ops/channel.ts), one thread per channel:
//   MODE 0, channelMoments(x):          out[c] = mean,  out[C + c] = sum (x - mean)^2 / N
//   MODE 1, channelSums(dy, x, center): out[c] = sum dy (x - center[c]),  out[C + c] = sum dy
// over the N elements of each channel (channel-fold.wgsl). The moments take two passes, mean
// first, which stays accurate when |mean| >> std; sums are compensated.
// For short reductions or many channels: a plain loop, no workgroup memory and no barriers (see
// reduce-serial.wgsl); channel-reduce-tree.wgsl has one workgroup per channel for long ones.
// Bindings a (x for MODE 0, dy for MODE 1), x, center (MODE 0 binds x for both), all read, and out
// (write, [2, C]); params channels (C), inner (elements after the channel axis), perChannel (N):
// SHADERS.channelReduce in src/backend/webgpu/shaders.ts.
// Workgroup: WG threads, one channel each.

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let c = linearWorkgroup(wid, nwg) * WG + lid;
  let channels = params.channels;
  if (c >= channels) {
    return;
  }
  if (MODE == 1u) {
    let s = fold(c, 0u, params.perChannel, 1u, 0u, 0.0);
    out[c] = s.x;
    out[channels + c] = s.y;
    return;
  }
  let n = f32(params.perChannel);
  let mean = fold(c, 0u, params.perChannel, 1u, 0u, 0.0).x / n;
  out[c] = mean;
  out[channels + c] = fold(c, 0u, params.perChannel, 1u, 1u, mean).x / n;
}
