// One-hot encoding: y[i, d] = 1 if indices[i] == d else 0, for d in [0, depth). Non-integer or
// out-of-range indices give a row of zeros, as on the CPU.
// Bindings indices (read), y (write); params depth: SHADERS.onehot in src/backend/webgpu/shaders.ts.
// Workgroup: one output element per item (per-item.wgsl).

fn item(i: u32) {
  let depth = params.depth;
  y[i] = select(0.0, 1.0, indices[i / depth] == f32(i % depth));
}
