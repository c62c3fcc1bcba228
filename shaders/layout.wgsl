// Layout ops as strided copies, chosen by MODE:
//   0 gather-copy  y[i] = x[offset + sum_d c_d(i) * stride_d]  (reshape, transpose, broadcastTo, slice)
//   1 pad          y[i] = x[c(i) - before] when inside x, else 0
//   2 scatter-copy y[offset + sum_d c_d(i) * stride_d] = x[i]  (one input of concat: its block of y)
//   3 plain copy   y[i] = x[offset + i]  (mode 0 when the strides, merged, are one run of stride 1)
// where c(i) are the coordinates of i in `shape` (the output's for 0 and 1, the input's for 2).
// Bindings x (read), y (write); params rank, offset and the dims rows SHAPE, STRIDES (of x for
// mode 1), BEFORE, X_SHAPE (mode 1): SHADERS.layout in src/backend/webgpu/shaders.ts.
// Workgroup: one element per item (per-item.wgsl).

fn padded(i: u32) -> f32 {
  var rest = i;
  var offset = 0u;
  for (var d = i32(params.rank) - 1; d >= 0; d--) {
    let k = u32(d);
    let size = dim(SHAPE, k);
    let c = i32(rest % size) - i32(dim(BEFORE, k));
    rest /= size;
    if (c < 0 || c >= i32(dim(X_SHAPE, k))) {
      return 0.0;
    }
    offset += u32(c) * dim(STRIDES, k);
  }
  return x[offset];
}

fn item(i: u32) {
  let offset = params.offset;
  if (MODE == 0u) {
    y[i] = x[offset + stridedOffset(i, params.rank, SHAPE, STRIDES)];
  } else if (MODE == 1u) {
    y[i] = padded(i);
  } else if (MODE == 2u) {
    y[offset + stridedOffset(i, params.rank, SHAPE, STRIDES)] = x[i];
  } else {
    y[i] = x[offset + i];
  }
}
