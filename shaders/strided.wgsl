// Appended to every kernel whose params have a dims table (src/backend/webgpu/params.ts): rows of
// shapes and strides, read with dim(row, d).

// Offset of element `i` of a row-major shape (dims row `shapeRow`, `rank` entries) read with the
// strides of row `strideRow`.
fn stridedOffset(i: u32, rank: u32, shapeRow: u32, strideRow: u32) -> u32 {
  var rest = i;
  var offset = 0u;
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let size = dim(shapeRow, u32(d));
    offset += (rest % size) * dim(strideRow, u32(d));
    rest /= size;
  }
  return offset;
}
