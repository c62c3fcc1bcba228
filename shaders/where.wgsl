// Ternary select with broadcasting: y[i] = cond[ic(i)] != 0 ? a[ia(i)] : b[ib(i)].
// Each operand's index is found as in binary.wgsl, by its mode (C_MODE, A_MODE, B_MODE):
// 0 strided, 1 same shape as the output, 2 block (i / div) % len, 3 scalar.
// Bindings cond, a, b (read), y (write); params as binary.wgsl's with a third operand:
// SHADERS.where in src/backend/webgpu/shaders.ts.
// Workgroup: one element per item (per-item.wgsl).

fn item(i: u32) {
  let c = cond[operandIndex(C_MODE, i, COND_STRIDES, params.condDiv, params.condLen)];
  y[i] = select(
    b[operandIndex(B_MODE, i, B_STRIDES, params.bDiv, params.bLen)],
    a[operandIndex(A_MODE, i, A_STRIDES, params.aDiv, params.aLen)],
    c != 0.0,
  );
}
