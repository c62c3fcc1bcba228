// TRANSITIONAL: the untyped 64-word params of the kernels not yet declared in
// src/backend/webgpu/shaders.ts (appended to those only); removed once every kernel is declared.
struct Params {
  w: array<vec4<u32>, 16>,
}

fn pu(i: u32) -> u32 {
  return params.w[i >> 2u][i & 3u];
}

fn pi(i: u32) -> i32 {
  return bitcast<i32>(pu(i));
}

fn pf(i: u32) -> f32 {
  return bitcast<f32>(pu(i));
}

// offset of element `i` of a row-major shape (words shapeAt..) read with strides (words strideAt..).
fn stridedOffset(i: u32, rank: u32, shapeAt: u32, strideAt: u32) -> u32 {
  var rest = i;
  var offset = 0u;
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let size = pu(shapeAt + u32(d));
    offset += (rest % size) * pu(strideAt + u32(d));
    rest /= size;
  }
  return offset;
}

// Element of a broadcast operand for output index i (binary and where): mode 0 strided (rank at
// word 1, output shape from word 2, the operand's strides from strideAt), 1 the same shape (i),
// 2 a block (i / word blockAt) % word blockAt+1 (bias rows and columns), 3 a scalar (0). `mode` is
// an override constant, so one branch remains.
fn operandIndex(mode: u32, i: u32, strideAt: u32, blockAt: u32) -> u32 {
  if (mode == 1u) {
    return i;
  }
  if (mode == 2u) {
    return (i / pu(blockAt)) % pu(blockAt + 1u);
  }
  if (mode == 3u) {
    return 0u;
  }
  return stridedOffset(i, pu(1u), 2u, strideAt);
}
