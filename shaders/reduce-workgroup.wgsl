// Shared by reduce.wgsl and reduce-subgroup.wgsl (appended to both): the combining step, its
// identity, and the entry point of one workgroup per output. Each thread folds a strided share of
// the output's terms, and the kernel's own `total(lid, v)` combines the WG shares (thread 0 gets the
// result).
// PARTS > 1: the first pass of a two-pass reduction (kernels/reduce-candidates.ts), for few long
// outputs: workgroup g folds part g % PARTS (a contiguous run of ceil(R / PARTS) terms, maybe empty)
// of output g / PARTS into y[g], a kernel temporary [outputs, PARTS] that reduce-serial.wgsl then
// folds in part order. PARTS 1 is the one-pass kernel (g = o).

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
  let g = linearWorkgroup(wid, nwg);
  let o = g / PARTS;
  // Every thread of a workgroup takes the same branch, so `total`'s barriers (and subgroup
  // operations) stay uniform.
  let inRange = o < params.outputs;
  var acc = identity();
  if (inRange) {
    let base = keptOffset(o);
    let count = params.length;
    let chunk = (count + PARTS - 1u) / PARTS;
    let begin = (g % PARTS) * chunk;
    let end = min(begin + chunk, count);
    for (var r = begin + lid; r < end; r += WG) {
      acc = combine(acc, x[base + reducedOffset(r)]);
    }
  }
  let result = total(lid, acc);
  if (inRange && lid == 0u) {
    y[g] = result;
  }
}
