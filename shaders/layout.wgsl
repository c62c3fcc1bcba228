// Layout ops as strided copies, chosen by MODE:
//   0 gather-copy  y[i] = x[offset + sum_d c_d(i) * stride_d]  (reshape, transpose, broadcastTo, slice)
//   1 pad          y[i] = x[c(i) - before] when inside x, else 0
//   2 scatter-copy y[offset + sum_d c_d(i) * stride_d] = x[i]  (one input of concat: its block of y)
//   3 plain copy   y[i] = x[offset + i]  (mode 0 when the strides, merged, are one run of stride 1)
// where c(i) are the coordinates of i in `shape` (the output's for 0 and 1, the input's for 2).
// Bindings: 0 x (read), 1 y (write), 2 params.
// Params: 0 n (threads), 1 rank (<= 8), 2..9 shape, 10..17 strides, 18 offset (modes 0, 2, 3);
//         mode 1: 10..17 strides of x, 18..25 padding before, 26..33 shape of x.
// Workgroup: WG threads, each handling PER elements WG apart (as in unary.wgsl).
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override MODE: u32 = 0u;
override WG: u32 = 64u;
override PER: u32 = 1u;

fn padded(i: u32) -> f32 {
  var rest = i;
  var offset = 0u;
  for (var d = i32(pu(1u)) - 1; d >= 0; d--) {
    let k = u32(d);
    let size = pu(2u + k);
    let c = i32(rest % size) - pi(18u + k);
    rest /= size;
    if (c < 0 || c >= pi(26u + k)) {
      return 0.0;
    }
    offset += u32(c) * pu(10u + k);
  }
  return x[offset];
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let first = linearWorkgroup(wid, nwg) * WG * PER + lid;
  let n = pu(0u);
  let offset = pu(18u);
  for (var k = 0u; k < PER; k++) {
    let i = first + k * WG;
    if (i >= n) {
      return;
    }
    if (MODE == 0u) {
      y[i] = x[offset + stridedOffset(i, pu(1u), 2u, 10u)];
    } else if (MODE == 1u) {
      y[i] = padded(i);
    } else if (MODE == 2u) {
      y[offset + stridedOffset(i, pu(1u), 2u, 10u)] = x[i];
    } else {
      y[i] = x[offset + i];
    }
  }
}
