// Cross-entropy of softmax(z) per row of K class scores (src/graph/ops/fused.ts), with
// lse = max z + ln(sum exp(z - max z)), the log of softmax's denominator:
//   MODE 0, loss: out[r] = sum_j t_j (lse - z_j)
//   MODE 1, grad: out[r, j] = dy[r] (exp(z_j - lse) S - t_j), S = sum_j t_j
// both with lse - z_j taken as (max z - z_j) + ln(sum exp(z - max z)).
// ln goes through logAccurate: the sum is near 1 for a confident row, where WGSL's log only bounds
// the absolute error (2^-21), which would swamp a small loss.
// Bindings z, t, dy (read; MODE 0 binds t again), out (write); params rows, classes (K):
// SHADERS.softmaxCrossEntropy in src/backend/webgpu/shaders.ts.
// Workgroup: WG threads, one row each: rows of class scores are short, and a plain loop needs no
// barriers.

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let r = linearWorkgroup(wid, nwg) * WG + lid;
  if (r >= params.rows) {
    return;
  }
  let k = params.classes;
  let start = r * k;
  var top = negInf();
  for (var j = 0u; j < k; j++) {
    top = max(top, z[start + j]);
  }
  var total = 0.0;
  var labels = 0.0;
  for (var j = 0u; j < k; j++) {
    total += exp(z[start + j] - top);
    labels += t[start + j];
  }
  // lse - z_j as (max z - z_j) + ln(total), never lse itself: rounded to f32 next to a large max
  // (ulp 6e-5 at 1000), lse would swamp a confident row's small loss and its probabilities.
  let logTotal = logAccurate(total);
  if (MODE == 0u) {
    var loss = 0.0;
    for (var j = 0u; j < k; j++) {
      loss += t[start + j] * ((top - z[start + j]) + logTotal);
    }
    out[r] = loss;
    return;
  }
  let d = dy[r];
  for (var j = 0u; j < k; j++) {
    out[start + j] = d * (exp((z[start + j] - top) - logTotal) * labels - t[start + j]);
  }
}
