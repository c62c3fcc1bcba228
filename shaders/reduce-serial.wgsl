// Reductions over any set of axes, one thread per output element: y[o] = sum (OP 0) or max (OP 1)
// of x[base(o) + red(r)] for r in [0, R), folded in a plain loop. For short reductions or many
// outputs: no workgroup memory and no barriers, which CPU emulations pay dearly for (a shader
// that merely contains a barrier runs many times slower on SwiftShader). Same params as reduce.wgsl.
// Max lets NaN win; an empty reduction gives 0 or -inf. Sums are compensated (Kahan): a plain
// float32 running sum over ~1000 terms drifts past the 1e-4 the kernels are held to.
// Bindings x (read), y (write); params outputs, length (R), the kept and reduced axes' ranks, shapes
// and strides in x: SHADERS.reduce in src/backend/webgpu/shaders.ts.
// SIMPLE 1: kept and reduced axes each merged into at most one axis (the host merges what it can),
// so base(o) and red(r) are one multiply each, without the per-axis divisions (reduce-offsets.wgsl).
// Workgroup: WG threads, one output element each.

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let o = linearWorkgroup(wid, nwg) * WG + lid;
  if (o >= params.outputs) {
    return;
  }
  let base = keptOffset(o);
  var acc = select(negInf(), 0.0, OP == 0u);
  var lost = 0.0; // the low-order part the running sum could not hold
  let count = params.length;
  for (var r = 0u; r < count; r++) {
    let v = x[base + reducedOffset(r)];
    if (OP == 0u) {
      let term = v - lost;
      let next = acc + term;
      // Once the sum is infinite or NaN the compensation is meaningless (inf - inf): drop it, so
      // infinities and NaN come out as the plain sum gives them.
      lost = select(0.0, (next - acc) - term, abs(next) <= bitcast<f32>(0x7f7fffffu));
      acc = next;
    } else if (!isNan(acc) && (v > acc || isNan(v))) {
      // Once seen, NaN is kept.
      acc = v;
    }
  }
  y[o] = acc;
}
