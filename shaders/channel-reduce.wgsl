// Per-channel reductions of batch normalisation (src/graph/ops/channel.ts), one thread per channel:
//   MODE 0, channelMoments(x):          out[c] = mean,  out[C + c] = sum (x - mean)^2 / N
//   MODE 1, channelSums(dy, x, center): out[c] = sum dy (x - center[c]),  out[C + c] = sum dy
// over the N elements of each channel (channel-fold.wgsl). The moments take two passes, mean
// first, which stays accurate when |mean| >> std; sums are compensated.
// For short reductions or many channels: a plain loop, no workgroup memory and no barriers (see
// reduce-serial.wgsl); channel-reduce-tree.wgsl has one workgroup per channel for long ones.
// Bindings: 0 a (x for MODE 0, dy for MODE 1), 1 x, 2 center (MODE 0 binds x for both), 3 out
// (write, [2, C]), 4 params.
// Params: 0 C, 1 inner (elements after the channel axis), 2 N (elements per channel).
// Workgroup: WG threads, one channel each.
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> center: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

override MODE: u32 = 0u;
override SIMPLE: bool = false;
override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let c = linearWorkgroup(wid, nwg) * WG + lid;
  let channels = pu(0u);
  if (c >= channels) {
    return;
  }
  if (MODE == 1u) {
    let s = fold(c, 0u, 1u, 0u, 0.0);
    out[c] = s.x;
    out[channels + c] = s.y;
    return;
  }
  let n = f32(pu(2u));
  let mean = fold(c, 0u, 1u, 0u, 0.0).x / n;
  out[c] = mean;
  out[channels + c] = fold(c, 0u, 1u, 1u, mean).x / n;
}
