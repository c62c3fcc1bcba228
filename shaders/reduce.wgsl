// Reductions over any set of axes: y[o] = sum (OP 0) or max (OP 1) of x over the reduced axes.
// Output o picks a base offset from the kept axes; r in [0, R) walks the reduced axes:
//   y[o] = reduce_r x[base(o) + red(r)].
// Max lets NaN win, like the CPU's comparison loop; an empty reduction gives 0 or -inf.
// Bindings: 0 x (read), 1 y (write), 2 params.
// Params: 0 outputs, 1 R, 2 kept rank, 3..10 kept shape, 11..18 kept strides (in x),
//         19 reduced rank, 20..27 reduced shape, 28..35 reduced strides (in x).
// SIMPLE 1: kept and reduced axes each merged into at most one axis (the host merges what it can),
// so base(o) = o * word 11 and red(r) = r * word 28, without the per-axis divisions.
// Workgroup: one workgroup of WG threads per output element; each thread folds a strided share of
// r, then a tree reduction in workgroup memory combines the WG partial results. (Short reductions
// with many outputs use reduce-serial.wgsl instead.)
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override OP: u32 = 0u;
override WG: u32 = 64u;

var<workgroup> partial: array<f32, WG>;

fn combine(u: f32, v: f32) -> f32 {
  if (OP == 0u) {
    return u + v;
  }
  // NaN is the only value not equal to itself: once seen it is kept.
  if (u != u) {
    return u;
  }
  return select(u, v, v > u || v != v);
}

fn identity() -> f32 {
  return select(negInf(), 0.0, OP == 0u);
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let o = linearWorkgroup(wid, nwg);
  // Every thread of a workgroup takes the same branch, so the barriers below stay uniform.
  let inRange = o < pu(0u);
  var acc = identity();
  if (inRange) {
    let base = keptOffset(o);
    let count = pu(1u);
    for (var r = lid; r < count; r += WG) {
      acc = combine(acc, x[base + reducedOffset(r)]);
    }
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var width = WG / 2u; width > 0u; width /= 2u) {
    if (lid < width) {
      partial[lid] = combine(partial[lid], partial[lid + width]);
    }
    workgroupBarrier();
  }
  if (inRange && lid == 0u) {
    y[o] = partial[0];
  }
}
