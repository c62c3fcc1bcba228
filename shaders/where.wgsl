// Ternary select with broadcasting: y[i] = cond[ic(i)] != 0 ? a[ia(i)] : b[ib(i)].
// Each operand's index is found as in binary.wgsl, by its mode (C_MODE, A_MODE, B_MODE):
// 0 strided, 1 same shape as the output, 2 block (i / div) % len, 3 scalar.
// Bindings: 0 cond (read), 1 a (read), 2 b (read), 3 y (write), 4 params.
// Params: 0 n, 1 rank (<= 8), 2..9 output shape, 10..17 strides of cond, 18..25 of a, 26..33 of b,
//         34, 35 div and len of cond (mode 2), 36, 37 of a, 38, 39 of b.
// Workgroup: WG threads, each handling PER elements WG apart (as in unary.wgsl).
@group(0) @binding(0) var<storage, read> cond: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

override WG: u32 = 64u;
override PER: u32 = 1u;
override C_MODE: u32 = 0u;
override A_MODE: u32 = 0u;
override B_MODE: u32 = 0u;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let first = linearWorkgroup(wid, nwg) * WG * PER + lid;
  let n = pu(0u);
  for (var k = 0u; k < PER; k++) {
    let i = first + k * WG;
    if (i >= n) {
      return;
    }
    let c = cond[operandIndex(C_MODE, i, 10u, 34u)];
    y[i] = select(b[operandIndex(B_MODE, i, 26u, 38u)], a[operandIndex(A_MODE, i, 18u, 36u)], c != 0.0);
  }
}
