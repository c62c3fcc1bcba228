// Shared by binary.wgsl and where.wgsl (appended to both): the element of a broadcast operand for
// output index i. Mode 0 strided (params.rank axes of the output shape, dims row OUT_SHAPE, read
// with the operand's strides, row `strideRow`), 1 the same shape (i), 2 a block (i / div) % len
// (bias rows and columns), 3 a scalar (0). `mode` is an override constant, so one branch remains.
fn operandIndex(mode: u32, i: u32, strideRow: u32, div: u32, len: u32) -> u32 {
  if (mode == 1u) {
    return i;
  }
  if (mode == 2u) {
    return (i / div) % len;
  }
  if (mode == 3u) {
    return 0u;
  }
  return stridedOffset(i, params.rank, OUT_SHAPE, strideRow);
}
