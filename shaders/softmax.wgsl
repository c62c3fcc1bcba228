// Softmax (LOG 0) and log-softmax (LOG 1) along one axis, one workgroup per line:
//   m = max_j x_j,  s = sum_j e^(x_j - m),  y_j = e^(x_j - m) / s   or   y_j = x_j - m - ln s.
// A line starts at (r / inner) * n * inner + r % inner and steps by inner.
// Bindings x (read), y (write); params lines, lineLength (n, the axis length), inner (product of the
// axes after it): SHADERS.softmax in src/backend/webgpu/shaders.ts.
// ln s is taken as ln(1 + t) with t = s - 1 summed directly (one maximum contributes the 1), so a
// line dominated by one entry, where s is barely above 1, keeps its small log-probabilities exact.
// Workgroup: SERIAL 0: WG threads (a power of two) per line; max and sum are combined by `total`
// below, a tree in workgroup memory. SERIAL 1 (short lines): one thread per line, WG lines per
// workgroup, plain loops and no barrier reached (CPU-emulated adapters pay dearly for barriers).
// The entry point is softmax-lines.wgsl's, shared with softmax-subgroup.wgsl (the tree's `total`
// with subgroup operations).

var<workgroup> partial: array<vec2<f32>, WG>;

// Every thread's v combined, componentwise max or componentwise sum; every thread gets it.
fn total(lid: u32, v: vec2<f32>, useMax: bool) -> vec2<f32> {
  partial[lid] = v;
  workgroupBarrier();
  for (var width = WG / 2u; width > 0u; width /= 2u) {
    if (lid < width) {
      let u = partial[lid];
      let w = partial[lid + width];
      partial[lid] = select(u + w, max(u, w), useMax);
    }
    workgroupBarrier();
  }
  let result = partial[0];
  // Nobody may overwrite partial[0] for the next reduction before every thread has read it.
  workgroupBarrier();
  return result;
}
