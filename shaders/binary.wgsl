// Binary elementwise ops with NumPy broadcasting: y[i] = f(a[ia(i)], b[ib(i)]), where ia/ib map
// an output index to the input's element. How, per operand (override constants A_MODE, B_MODE):
//   0 strided  through strides that are 0 on broadcast axes (any broadcast)
//   1 same     ia(i) = i (the operand has the output's shape)
//   2 block    ia(i) = (i / div) % len (the operand spans one run of consecutive output axes:
//              a bias row, a column, ...)
//   3 scalar   ia(i) = 0
// Modes 1 to 3 skip the per-axis divisions of mode 0, which dominate these kernels' cost.
// OP: 0 add  1 sub  2 mul  3 div  4 pow (Math.pow semantics for negative bases)
//     5 equal  6 notEqual  7 greater  8 greaterEqual  9 less  10 lessEqual (1 or 0)
// Bindings a, b (read), y (write); params rank, the output shape (dims row OUT_SHAPE), each
// operand's strides (A_STRIDES, B_STRIDES) and block div and len: SHADERS.binary in
// src/backend/webgpu/shaders.ts. Operand indices: broadcast.wgsl.
// Workgroup: one element per item (per-item.wgsl).

fn powf(base: f32, e: f32) -> f32 {
  if (e == 0.0) {
    return 1.0;
  }
  if (base == 0.0) {
    return select(-negInf(), 0.0, e > 0.0);
  }
  let m = exp2(e * log2(abs(base)));
  if (base > 0.0) {
    return m;
  }
  if (fract(e) != 0.0) {
    return nan();
  }
  return select(m, -m, fract(e * 0.5) != 0.0);
}

fn apply(u: f32, v: f32) -> f32 {
  switch OP {
    case 0u: { return u + v; }
    case 1u: { return u - v; }
    case 2u: { return u * v; }
    case 3u: { return u / v; }
    case 4u: { return powf(u, v); }
    case 5u: { return select(0.0, 1.0, u == v); }
    case 6u: { return select(0.0, 1.0, u != v); }
    case 7u: { return select(0.0, 1.0, u > v); }
    case 8u: { return select(0.0, 1.0, u >= v); }
    case 9u: { return select(0.0, 1.0, u < v); }
    default: { return select(0.0, 1.0, u <= v); }
  }
}

fn item(i: u32) {
  y[i] = apply(
    a[operandIndex(A_MODE, i, A_STRIDES, params.aDiv, params.aLen)],
    b[operandIndex(B_MODE, i, B_STRIDES, params.bDiv, params.bLen)],
  );
}
