// Reductions over any set of axes: y[o] = sum (OP 0) or max (OP 1) of x over the reduced axes.
// Output o picks a base offset from the kept axes; r in [0, R) walks the reduced axes:
//   y[o] = reduce_r x[base(o) + red(r)].
// Max lets NaN win, like the CPU's comparison loop; an empty reduction gives 0 or -inf.
// Bindings x (read), y (write); params outputs, length (R), the kept and reduced axes' ranks, shapes
// and strides in x: SHADERS.reduce in src/backend/webgpu/shaders.ts.
// SIMPLE 1: kept and reduced axes each merged into at most one axis (the host merges what it can),
// so base(o) and red(r) are one multiply each, without the per-axis divisions (reduce-offsets.wgsl).
// Workgroup: one workgroup of WG threads (a power of two) per output element; each thread folds a
// strided share of r (reduce-workgroup.wgsl, which has the entry point), then `total` below, a tree
// in workgroup memory, combines the WG partial results. reduce-subgroup.wgsl is the same with
// subgroup operations for the tree; short reductions with many outputs use reduce-serial.wgsl.
var<workgroup> partial: array<f32, WG>;

// The combination of every thread's v; thread 0 gets it.
fn total(lid: u32, v: f32) -> f32 {
  partial[lid] = v;
  workgroupBarrier();
  for (var width = WG / 2u; width > 0u; width /= 2u) {
    if (lid < width) {
      partial[lid] = combine(partial[lid], partial[lid + width]);
    }
    workgroupBarrier();
  }
  return partial[0];
}
