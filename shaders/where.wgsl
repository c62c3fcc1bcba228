// Ternary select with broadcasting: y[i] = cond[ic(i)] != 0 ? a[ia(i)] : b[ib(i)].
// Bindings: 0 cond (read), 1 a (read), 2 b (read), 3 y (write), 4 params.
// Params: 0 n, 1 rank (<= 8), 2..9 output shape, 10..17 strides of cond, 18..25 of a, 26..33 of b.
// Workgroup: WG threads, one output element each.
@group(0) @binding(0) var<storage, read> cond: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let i = linearWorkgroup(wid, nwg) * WG + lid;
  if (i >= pu(0u)) {
    return;
  }
  let rank = pu(1u);
  let c = cond[stridedOffset(i, rank, 2u, 10u)];
  y[i] = select(b[stridedOffset(i, rank, 2u, 26u)], a[stridedOffset(i, rank, 2u, 18u)], c != 0.0);
}
