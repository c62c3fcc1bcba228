// Adam's whole update of a weight in one pass (adam.wgsl for the formulas): m', v' and w' written
// together, each input read once. The step executor runs this in place of the three adamUpdate
// parts of one weight when they come together in a traced step (src/backend/webgpu/plan.ts); the
// eager path keeps one dispatch per part, since an op has one output.
// Bindings w, g, m, v, a: alpha, d: decay (one element each), all read, and mOut, vOut, wOut
// (write); params as adam.wgsl's: SHADERS.adamStep in src/backend/webgpu/shaders.ts.
// Workgroup: one element per item (per-item.wgsl).

fn item(i: u32) {
  let m1 = adamM(i);
  let v1 = adamV(i);
  mOut[i] = m1;
  vOut[i] = v1;
  wOut[i] = adamW(i, m1, v1);
}
