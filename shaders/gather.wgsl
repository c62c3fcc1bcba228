// Row gather and its adjoint, for x of shape [rows, ...] seen as rows of `rowSize` values:
//   MODE 0 gather      y[i, j] = x[indices[i], j]
//   MODE 1 scatterAdd  y[r, j] = sum over i with indices[i] == r of x[i, j], in increasing i
//                      (the CPU's order, so sums agree to the bit; no atomics needed).
// An index outside [0, rows) reads as zeros (the CPU backend throws; a kernel cannot).
// Bindings x, indices (read; integers stored as f32), y (write); params rowSize, xRows (gather),
// indexCount (scatterAdd): SHADERS.gather in src/backend/webgpu/shaders.ts.
// Workgroup: one output element per item (per-item.wgsl).

fn item(i: u32) {
  let rowSize = params.rowSize;
  let row = i / rowSize;
  let col = i % rowSize;
  if (MODE == 0u) {
    let r = indices[row];
    let inside = r >= 0.0 && r < f32(params.xRows);
    y[i] = select(0.0, x[u32(max(r, 0.0)) * rowSize + col], inside);
  } else {
    var s = 0.0;
    let wanted = f32(row);
    for (var k = 0u; k < params.indexCount; k++) {
      if (indices[k] == wanted) {
        s += x[k * rowSize + col];
      }
    }
    y[i] = s;
  }
}
