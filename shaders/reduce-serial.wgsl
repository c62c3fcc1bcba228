// Reductions over any set of axes, one thread per output element: y[o] = sum (OP 0) or max (OP 1)
// of x[base(o) + red(r)] for r in [0, R), folded in a plain loop. For short reductions or many
// outputs: no workgroup memory and no barriers, which CPU emulations pay dearly for (a shader
// that merely contains a barrier runs many times slower on SwiftShader). Same words as reduce.wgsl.
// Max lets NaN win; an empty reduction gives 0 or -inf. Sums are compensated (Kahan): a plain
// float32 running sum over ~1000 terms drifts past the 1e-4 the kernels are held to.
// Bindings: 0 x (read), 1 y (write), 2 params.
// Params: 0 outputs, 1 R, 2 kept rank, 3..10 kept shape, 11..18 kept strides (in x),
//         19 reduced rank, 20..27 reduced shape, 28..35 reduced strides (in x).
// SIMPLE 1: kept and reduced axes each merged into at most one axis (the host merges what it can),
// so base(o) = o * word 11 and red(r) = r * word 28, without the per-axis divisions.
// Workgroup: WG threads, one output element each.
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override OP: u32 = 0u;
override WG: u32 = 64u;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let o = linearWorkgroup(wid, nwg) * WG + lid;
  if (o >= pu(0u)) {
    return;
  }
  let base = keptOffset(o);
  var acc = select(negInf(), 0.0, OP == 0u);
  var lost = 0.0; // the low-order part the running sum could not hold
  let count = pu(1u);
  for (var r = 0u; r < count; r++) {
    let v = x[base + reducedOffset(r)];
    if (OP == 0u) {
      let term = v - lost;
      let next = acc + term;
      // Once the sum is infinite or NaN the compensation is meaningless (inf - inf): drop it, so
      // infinities and NaN come out as the plain sum gives them.
      lost = select(0.0, (next - acc) - term, abs(next) <= bitcast<f32>(0x7f7fffffu));
      acc = next;
    } else if (acc == acc && (v > acc || v != v)) {
      // NaN is the only value not equal to itself: once seen it is kept.
      acc = v;
    }
  }
  y[o] = acc;
}
