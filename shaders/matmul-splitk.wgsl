// Matrix product C[M,N] = op(A) op(B), op = optional transpose of the stored matrix:
//   A(i, k) = TRANS_A ? a[k * M + i] : a[i * K + k],  B(k, j) = TRANS_B ? b[j * K + k] : b[k * N + j].
// Split-K variant, for long-K products with few outputs (weight gradients, where K is the batch):
// each workgroup computes one 4x4 block of C, and its SPLIT threads share the k loop (thread t
// takes k = t, t + SPLIT, ...), each keeping a 4x4 partial sum in registers; the partials are then
// added in workgroup memory by a tree of log2(SPLIT) halving steps. So a 256 x 10 product of K =
// 128 runs on 192 workgroups of SPLIT threads instead of on 160 threads. The sum's order differs
// from the other variants' (a tree over interleaved k), within f32 rounding of the same value.
// Rows and columns past the edge are clamped to the last one (valid memory, results never written).
// Epilogue (fusedMatmul): C = act(C + bias) with bias[N] added to every row when BIAS, act chosen
// by ACT (matmul-epilogue.wgsl, activation.wgsl: 0 linear, 1 relu, 2 sigmoid, 3 tanh). A plain
// matmul binds b again as the unread bias.
// Bindings a, b, bias (read), c (write); params m, n, k, blocksPerRow = ceil(N / 4), blocks in all;
// overrides SPLIT (a power of two) and the epilogue's: SHADERS.matmulSplitK in
// src/backend/webgpu/shaders.ts.
// Workgroup: SPLIT threads, one 4x4 block of C per workgroup, blocks numbered row-major.

// part[t * 4 + r]: thread t's partial sums of row r of the block.
var<workgroup> part: array<vec4<f32>, 4 * SPLIT>;

@compute @workgroup_size(SPLIT)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  // Uniform per workgroup: either every thread returns or none does, so barriers stay uniform.
  let block = linearWorkgroup(wid, nwg);
  if (block >= params.blocks) {
    return;
  }
  let m = params.m;
  let n = params.n;
  // Where the block reads A and B, and this thread's share of k (matmul-block4.wgsl).
  let g = block4(block);
  let row = g.row;
  let col = g.col;
  let acc = block4Strided(g, lid, SPLIT);
  for (var r = 0u; r < 4u; r++) {
    part[lid * 4u + r] = acc[r];
  }
  workgroupBarrier();
  for (var half = SPLIT / 2u; half > 0u; half /= 2u) {
    if (lid < half) {
      for (var r = 0u; r < 4u; r++) {
        part[lid * 4u + r] += part[(lid + half) * 4u + r];
      }
    }
    workgroupBarrier();
  }
  // Thread r < 4 writes row r of the block.
  if (lid < 4u && row + lid < m) {
    let sums = part[lid];
    for (var q = 0u; q < 4u; q++) {
      if (col + q < n) {
        c[(row + lid) * n + col + q] = epilogue(sums[q], col + q);
      }
    }
  }
}
