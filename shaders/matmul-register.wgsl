// Matrix product C[M,N] = op(A) op(B), op = optional transpose of the stored matrix:
//   A(i, k) = TRANS_A ? a[k * M + i] : a[i * K + k],  B(k, j) = TRANS_B ? b[j * K + k] : b[k * N + j].
// Register-blocked variant: each thread keeps a 4x4 block of C in registers and walks k once,
// loading 4 values of A and 4 of B per step (16 multiply-adds per 8 loads). No workgroup memory
// and no barriers, which is what wins on CPU emulations (SwiftShader, llvmpipe). Rows and columns
// past the edge are clamped to the last one (valid memory, results never written), so the inner
// loop has no branches; the transposes are override constants, so it has no selects either.
// Epilogue (fusedMatmul): C = act(C + bias) with bias[N] added to every row when BIAS, act chosen
// by ACT (matmul-epilogue.wgsl, activation.wgsl: 0 linear, 1 relu, 2 sigmoid, 3 tanh). A plain
// matmul binds b again as the unread bias.
// Bindings a, b, bias (read), c (write); params m, n, k, blocksPerRow = ceil(N / 4), blocks in all;
// overrides WG and the epilogue's: SHADERS.matmulRegister in src/backend/webgpu/shaders.ts.
// Workgroup: WG threads (override), one 4x4 block each, blocks numbered row-major.
// SLICES > 1 (split-K across dispatches, kernels/matmul.ts 'slicedK'): thread t computes block
// t % blocks over slice t / blocks of k, and stores the bare sums in slice-major [SLICES, M, N]
// (matmul-slices.wgsl), for matmul-slices-sum.wgsl to add up and pass through the epilogue.

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let t = linearWorkgroup(wid, nwg) * WG + lid;
  if (t >= params.blocks * SLICES) {
    return;
  }
  let block = t % params.blocks;
  slice = t / params.blocks;
  let ks = sliceRange(slice, params.k, 1u);
  let m = params.m;
  let n = params.n;
  // Where the block reads A and B (matmul-block4.wgsl).
  let g = block4(block);
  let row = g.row;
  let col = g.col;
  let aBase = g.aBase;
  let aStep = g.aStep;
  let bBase = g.bBase;
  let bStep = g.bStep;
  var acc0 = vec4<f32>();
  var acc1 = vec4<f32>();
  var acc2 = vec4<f32>();
  var acc3 = vec4<f32>();
  var ka = ks.x * aStep;
  var kb = ks.x * bStep;
  for (var k = ks.x; k < ks.y; k++) {
    let bv = vec4<f32>(b[bBase.x + kb], b[bBase.y + kb], b[bBase.z + kb], b[bBase.w + kb]);
    acc0 += a[aBase.x + ka] * bv;
    acc1 += a[aBase.y + ka] * bv;
    acc2 += a[aBase.z + ka] * bv;
    acc3 += a[aBase.w + ka] * bv;
    ka += aStep;
    kb += bStep;
  }
  let acc = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  for (var r = 0u; r < 4u; r++) {
    if (row + r >= m) {
      break;
    }
    for (var q = 0u; q < 4u; q++) {
      if (col + q < n) {
        storeC(row + r, col + q, acc[r][q]);
      }
    }
  }
}
