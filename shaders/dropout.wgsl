// Dropout: y[i] = keep(i) ? x[i] * scale : 0, with keep(i) = (bits(key, i) >> 8) >= threshold and
// bits(key, i) = hash32(hash32(i ^ key) + key), hash32 = lowbias32. The same u32 arithmetic as
// src/graph/random.ts, so masks are bit-for-bit those of the CPU backend; the decision compares
// integers, never floats.
// Bindings: 0 x (read), 1 y (write), 2 params.
// Params: 0 n, 1 key = streamKey(seed, step), 2 threshold = floor(rate * 2^24), 3 scale (f32).
// Workgroup: WG threads, each handling PER elements WG apart (as in unary.wgsl).
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64u;
override PER: u32 = 1u;

fn hash32(v: u32) -> u32 {
  var h = v;
  h = h ^ (h >> 16u);
  h = h * 0x7feb352du;
  h = h ^ (h >> 15u);
  h = h * 0x846ca68bu;
  h = h ^ (h >> 16u);
  return h;
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let first = linearWorkgroup(wid, nwg) * WG * PER + lid;
  let n = pu(0u);
  let key = pu(1u);
  let threshold = pu(2u);
  let scale = pf(3u);
  for (var k = 0u; k < PER; k++) {
    let i = first + k * WG;
    if (i >= n) {
      return;
    }
    let bits = hash32(hash32(i ^ key) + key);
    y[i] = select(0.0, x[i] * scale, (bits >> 8u) >= threshold);
  }
}
