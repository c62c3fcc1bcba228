// Adam's update of a weight in one pass (adam.wgsl for the formulas): m', v' and w' written
// together, each input read once: the adamUpdate op (src/graph/ops/optimizer.ts).
// Bindings w, g, m, v, a: alpha, d: decay (one element each), all read, and mOut, vOut, wOut
// (write); params as adam.wgsl's: SHADERS.adamUpdate in src/backend/webgpu/shaders.ts.
// Workgroup: one element per item (per-item.wgsl).

fn item(i: u32) {
  let m1 = adamM(i);
  let v1 = adamV(i);
  mOut[i] = m1;
  vOut[i] = v1;
  wOut[i] = adamW(i, m1, v1);
}
