// channelAffine (src/graph/ops/channel.ts): y[i] = (x[i] - center[c]) scale[c] + shift[c] for the
// channel c = (i / inner) % C of element i: batch normalisation with given statistics, folded by
// the host into a per-channel scale and shift.
// Bindings: 0 x (read), 1 center, 2 scale, 3 shift (read, C each), 4 y (write), 5 params.
// Params: 0 n (elements), 1 C, 2 inner (elements after the channel axis).
// Workgroup: WG threads, each PER elements WG apart (as unary.wgsl).
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> center: array<f32>;
@group(0) @binding(2) var<storage, read> scale: array<f32>;
@group(0) @binding(3) var<storage, read> shift: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

override WG: u32 = 64u;
override PER: u32 = 1u;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let first = linearWorkgroup(wid, nwg) * WG * PER + lid;
  let n = pu(0u);
  let channels = pu(1u);
  let inner = pu(2u);
  for (var k = 0u; k < PER; k++) {
    let i = first + k * WG;
    if (i >= n) {
      return;
    }
    let c = (i / inner) % channels;
    y[i] = (x[i] - center[c]) * scale[c] + shift[c];
  }
}
