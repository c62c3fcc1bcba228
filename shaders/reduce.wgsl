// Reductions over any set of axes: y[o] = sum (OP 0) or max (OP 1) of x over the reduced axes.
// Output o picks a base offset from the kept axes; r in [0, R) walks the reduced axes:
//   y[o] = reduce_r x[base(o) + red(r)].
// Max lets NaN win, like the CPU's comparison loop; an empty reduction gives 0 or -inf.
// Bindings x (read), y (write); params outputs, length (R), the kept and reduced axes' ranks, shapes
// and strides in x: SHADERS.reduce in src/backend/webgpu/shaders.ts.
// SIMPLE 1: kept and reduced axes each merged into at most one axis (the host merges what it can),
// so base(o) and red(r) are one multiply each, without the per-axis divisions (reduce-offsets.wgsl).
// Workgroup: one workgroup of WG threads per output element; each thread folds a strided share of
// r, then a tree reduction in workgroup memory combines the WG partial results. (Short reductions
// with many outputs use reduce-serial.wgsl instead.)
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
  let inRange = o < params.outputs;
  var acc = identity();
  if (inRange) {
    let base = keptOffset(o);
    let count = params.length;
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
