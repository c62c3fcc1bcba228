// Helpers appended to the end of every kernel (so line numbers in compile errors match the
// kernel's own file). Each kernel declares `params: Params`, 64 words of parameters read as
// u32, i32 or f32 by index; the kernel's header says what each word means.
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

// Dispatches wider than 65535 workgroups are split over y; this is the workgroup's linear number.
fn linearWorkgroup(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return wid.x + wid.y * nwg.x;
}

// -infinity built at run time: a constant expression may not produce an infinity.
fn negInf() -> f32 {
  var bits = 0xff800000u;
  return bitcast<f32>(bits);
}

fn nan() -> f32 {
  var bits = 0x7fc00000u;
  return bitcast<f32>(bits);
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

// ln(1 + f) for f > -1: WGSL only bounds log's absolute error near 1, where the result is small,
// so for |f| < 0.25 we use ln(1 + f) = 2 atanh(s), s = f / (2 + f), as a series (f itself never
// goes through 1 + f, which would round its low bits away).
fn log1pAccurate(f: f32) -> f32 {
  if (abs(f) >= 0.25) {
    return log(1.0 + f);
  }
  let s = f / (2.0 + f);
  let s2 = s * s;
  var t = 1.0 / 13.0;
  for (var k = 11.0; k >= 1.0; k -= 2.0) {
    t = 1.0 / k + s2 * t;
  }
  return 2.0 * s * t;
}

// ln x, accurate near 1 too (x - 1 is exact there).
fn logAccurate(v: f32) -> f32 {
  return log1pAccurate(v - 1.0);
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
