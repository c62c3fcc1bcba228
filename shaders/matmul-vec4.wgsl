// Matrix product C[M,N] = op(A) op(B), op = optional transpose of the stored matrix:
//   A(i, k) = TRANS_A ? a[k * M + i] : a[i * K + k],  B(k, j) = TRANS_B ? b[j * K + k] : b[k * N + j].
// Register-blocked with vec4 loads, for CPU emulations (SwiftShader, llvmpipe), where each invocation
// is a SIMD lane and every storage load a per-lane gather: the cost is in the loads, so each thread
// keeps an 8x8 block of C and reads A and B as vec4 (one index computation and bounds check per four
// values). Per step of four k: 8 vec4 of A, 8 of B, 256 multiply-adds (the 4x4 kernel: 32 scalar
// loads for the same 256). Measured in test/webgpu/measure/matmul.measure.ts: 2-2.5x the 4x4 kernel
// on SwiftShader, 3-3.5x on llvmpipe. A is read along k (stored rows) or, transposed, along i;
// B along j or, transposed, along k; 4x4 blocks read the other way are transposed in registers,
// with constant swizzles (a vector indexed by a function parameter cost SwiftShader 1.8x on dW).
// Needs K % 4 == 0, M % 4 == 0 when TRANS_A, N % 4 == 0 unless TRANS_B (nn.ts falls back to
// matmul-register.wgsl otherwise). Rows and columns past the edge are clamped (valid memory, results
// never written), so the inner loop has no branches.
// Epilogue (fusedMatmul): C = act(C + bias) with bias[N] added to every row when BIAS, act chosen by
// ACT (matmul-epilogue.wgsl, activation.wgsl). A plain matmul binds b again as the unread bias.
// Bindings a, b (read, vec4), bias (read), c (write); params m, n, k, blocksPerRow = tiles per row
// of C = ceil(N / (8 TX)), blocks = tiles in all; overrides TX, TY and the epilogue's:
// SHADERS.matmulVec4 in src/backend/webgpu/shaders.ts.
// Workgroup: TX x TY threads, one 8x8 block each, computing an (8 TY) x (8 TX) tile; tiles numbered
// row-major.

// acc + A(i, k..k+3) . B(k..k+3, 4 columns), the four k in order.
fn madd4(acc: vec4<f32>, av: vec4<f32>, b0: vec4<f32>, b1: vec4<f32>, b2: vec4<f32>, b3: vec4<f32>) -> vec4<f32> {
  return acc + av.x * b0 + av.y * b1 + av.z * b2 + av.w * b3;
}

@compute @workgroup_size(TX, TY)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
) {
  // SLICES > 1: workgroup t computes tile t % blocks over slice t / blocks of k (matmul-slices.wgsl).
  let t = linearWorkgroup(wid, nwg);
  if (t >= params.blocks * SLICES) {
    return;
  }
  let tile = t % params.blocks;
  slice = t / params.blocks;
  let m = params.m;
  let n = params.n;
  let kk = params.k;
  let row = (tile / params.blocksPerRow) * TY * 8u + lid.y * 8u;
  let col = (tile % params.blocksPerRow) * TX * 8u + lid.x * 8u;
  let m4 = m / 4u;
  let n4 = n / 4u;
  let k4 = kk / 4u;
  // vec4 indices at k = 0 and their step per four k. A: rows (or, transposed, the two groups of
  // four rows); B: the two groups of four columns (or, transposed, columns).
  let r0 = min(vec4<u32>(row, row + 1u, row + 2u, row + 3u), vec4<u32>(m - 1u));
  let r1 = min(vec4<u32>(row + 4u, row + 5u, row + 6u, row + 7u), vec4<u32>(m - 1u));
  let q0 = min(vec4<u32>(col, col + 1u, col + 2u, col + 3u), vec4<u32>(n - 1u));
  let q1 = min(vec4<u32>(col + 4u, col + 5u, col + 6u, col + 7u), vec4<u32>(n - 1u));
  let ag = vec2<u32>(min(row, m - 4u) / 4u, min(row + 4u, m - 4u) / 4u);
  let bg = vec2<u32>(min(col, n - 4u) / 4u, min(col + 4u, n - 4u) / 4u);
  let a0 = r0 * k4;
  let a1 = r1 * k4;
  let b0 = q0 * k4;
  let b1 = q1 * k4;
  var c00 = vec4<f32>();
  var c01 = vec4<f32>();
  var c10 = vec4<f32>();
  var c11 = vec4<f32>();
  var c20 = vec4<f32>();
  var c21 = vec4<f32>();
  var c30 = vec4<f32>();
  var c31 = vec4<f32>();
  var c40 = vec4<f32>();
  var c41 = vec4<f32>();
  var c50 = vec4<f32>();
  var c51 = vec4<f32>();
  var c60 = vec4<f32>();
  var c61 = vec4<f32>();
  var c70 = vec4<f32>();
  var c71 = vec4<f32>();
  let ks = sliceRange(t / params.blocks, k4, 1u);
  for (var kq = ks.x; kq < ks.y; kq++) {
    // Rows of A along k: x0..x7 = A(row + i, 4 kq .. 4 kq + 3).
    var x0: vec4<f32>;
    var x1: vec4<f32>;
    var x2: vec4<f32>;
    var x3: vec4<f32>;
    var x4: vec4<f32>;
    var x5: vec4<f32>;
    var x6: vec4<f32>;
    var x7: vec4<f32>;
    if (TRANS_A) {
      let k = kq * 4u;
      let t00 = a[k * m4 + ag.x];
      let t10 = a[(k + 1u) * m4 + ag.x];
      let t20 = a[(k + 2u) * m4 + ag.x];
      let t30 = a[(k + 3u) * m4 + ag.x];
      let t01 = a[k * m4 + ag.y];
      let t11 = a[(k + 1u) * m4 + ag.y];
      let t21 = a[(k + 2u) * m4 + ag.y];
      let t31 = a[(k + 3u) * m4 + ag.y];
      x0 = vec4<f32>(t00.x, t10.x, t20.x, t30.x);
      x1 = vec4<f32>(t00.y, t10.y, t20.y, t30.y);
      x2 = vec4<f32>(t00.z, t10.z, t20.z, t30.z);
      x3 = vec4<f32>(t00.w, t10.w, t20.w, t30.w);
      x4 = vec4<f32>(t01.x, t11.x, t21.x, t31.x);
      x5 = vec4<f32>(t01.y, t11.y, t21.y, t31.y);
      x6 = vec4<f32>(t01.z, t11.z, t21.z, t31.z);
      x7 = vec4<f32>(t01.w, t11.w, t21.w, t31.w);
    } else {
      x0 = a[a0.x + kq];
      x1 = a[a0.y + kq];
      x2 = a[a0.z + kq];
      x3 = a[a0.w + kq];
      x4 = a[a1.x + kq];
      x5 = a[a1.y + kq];
      x6 = a[a1.z + kq];
      x7 = a[a1.w + kq];
    }
    // Rows of B along j: yUH = B(4 kq + U, col + 4 H .. col + 4 H + 3).
    var y00: vec4<f32>;
    var y01: vec4<f32>;
    var y10: vec4<f32>;
    var y11: vec4<f32>;
    var y20: vec4<f32>;
    var y21: vec4<f32>;
    var y30: vec4<f32>;
    var y31: vec4<f32>;
    if (TRANS_B) {
      let s0 = b[b0.x + kq];
      let s1 = b[b0.y + kq];
      let s2 = b[b0.z + kq];
      let s3 = b[b0.w + kq];
      let s4 = b[b1.x + kq];
      let s5 = b[b1.y + kq];
      let s6 = b[b1.z + kq];
      let s7 = b[b1.w + kq];
      y00 = vec4<f32>(s0.x, s1.x, s2.x, s3.x);
      y10 = vec4<f32>(s0.y, s1.y, s2.y, s3.y);
      y20 = vec4<f32>(s0.z, s1.z, s2.z, s3.z);
      y30 = vec4<f32>(s0.w, s1.w, s2.w, s3.w);
      y01 = vec4<f32>(s4.x, s5.x, s6.x, s7.x);
      y11 = vec4<f32>(s4.y, s5.y, s6.y, s7.y);
      y21 = vec4<f32>(s4.z, s5.z, s6.z, s7.z);
      y31 = vec4<f32>(s4.w, s5.w, s6.w, s7.w);
    } else {
      let k = kq * 4u;
      y00 = b[k * n4 + bg.x];
      y01 = b[k * n4 + bg.y];
      y10 = b[(k + 1u) * n4 + bg.x];
      y11 = b[(k + 1u) * n4 + bg.y];
      y20 = b[(k + 2u) * n4 + bg.x];
      y21 = b[(k + 2u) * n4 + bg.y];
      y30 = b[(k + 3u) * n4 + bg.x];
      y31 = b[(k + 3u) * n4 + bg.y];
    }
    c00 = madd4(c00, x0, y00, y10, y20, y30);
    c01 = madd4(c01, x0, y01, y11, y21, y31);
    c10 = madd4(c10, x1, y00, y10, y20, y30);
    c11 = madd4(c11, x1, y01, y11, y21, y31);
    c20 = madd4(c20, x2, y00, y10, y20, y30);
    c21 = madd4(c21, x2, y01, y11, y21, y31);
    c30 = madd4(c30, x3, y00, y10, y20, y30);
    c31 = madd4(c31, x3, y01, y11, y21, y31);
    c40 = madd4(c40, x4, y00, y10, y20, y30);
    c41 = madd4(c41, x4, y01, y11, y21, y31);
    c50 = madd4(c50, x5, y00, y10, y20, y30);
    c51 = madd4(c51, x5, y01, y11, y21, y31);
    c60 = madd4(c60, x6, y00, y10, y20, y30);
    c61 = madd4(c61, x6, y01, y11, y21, y31);
    c70 = madd4(c70, x7, y00, y10, y20, y30);
    c71 = madd4(c71, x7, y01, y11, y21, y31);
  }
  storeRow(row, col, c00, c01);
  storeRow(row + 1u, col, c10, c11);
  storeRow(row + 2u, col, c20, c21);
  storeRow(row + 3u, col, c30, c31);
  storeRow(row + 4u, col, c40, c41);
  storeRow(row + 5u, col, c50, c51);
  storeRow(row + 6u, col, c60, c61);
  storeRow(row + 7u, col, c70, c71);
}

// C(i, j..j+7), the elements inside the matrix, through the epilogue; straight-line, with constant
// swizzles (see the header).
fn storeRow(i: u32, j: u32, v0: vec4<f32>, v1: vec4<f32>) {
  if (i >= params.m) {
    return;
  }
  store(i, j, v0.x);
  store(i, j + 1u, v0.y);
  store(i, j + 2u, v0.z);
  store(i, j + 3u, v0.w);
  store(i, j + 4u, v1.x);
  store(i, j + 5u, v1.y);
  store(i, j + 6u, v1.z);
  store(i, j + 7u, v1.w);
}

fn store(i: u32, j: u32, v: f32) {
  if (j < params.n) {
    storeC(i, j, v);
  }
}
