// Shared by reduce.wgsl and reduce-subgroup.wgsl (appended to both): the combining step, its
// identity, and the entry point of one workgroup per output. Each thread folds a strided share of
// the output's terms, and the kernel's own `total(lid, v)` combines the WG shares (thread 0 gets the
// result).

fn combine(u: f32, v: f32) -> f32 {
  if (OP == 0u) {
    return u + v;
  }
  // Once seen, NaN is kept.
  if (isNan(u)) {
    return u;
  }
  return select(u, v, v > u || isNan(v));
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
  // Every thread of a workgroup takes the same branch, so `total`'s barriers (and subgroup
  // operations) stay uniform.
  let inRange = o < params.outputs;
  var acc = identity();
  if (inRange) {
    let base = keptOffset(o);
    let count = params.length;
    for (var r = lid; r < count; r += WG) {
      acc = combine(acc, x[base + reducedOffset(r)]);
    }
  }
  let result = total(lid, acc);
  if (inRange && lid == 0u) {
    y[o] = result;
  }
}
