enable subgroups;

// Matrix product C[M,N] = op(A) op(B), op = optional transpose of the stored matrix:
//   A(i, k) = TRANS_A ? a[k * M + i] : a[i * K + k],  B(k, j) = TRANS_B ? b[j * K + k] : b[k * N + j].
// Split-K within a workgroup, as matmul-splitk.wgsl (each workgroup one 4x4 block of C, its SPLIT
// threads sharing the k loop), with the partial sums added by subgroupAdd first: one partial per
// subgroup goes through workgroup memory instead of one per thread, and two barriers replace the
// log2(SPLIT) of the tree. Only where the device has `subgroups` (KernelEnv.subgroups).
// Subgroup sizes vary (4 on SwiftShader, 32 on NVIDIA, 32 or 64 on AMD) and WGSL does not promise
// which invocations share one, so each subgroup checks that it is the aligned run of
// local_invocation_index that subgroup_size implies (as on every implementation we know); if any
// is not, the workgroup adds the threads' own partials instead, so the sum is right for any
// grouping. The sum's order: within a subgroup the builtin's, then subgroups (or threads) in order.
// Rows and columns past the edge are clamped to the last one (valid memory, results never written).
// Epilogue (fusedMatmul): C = act(C + bias) (matmul-epilogue.wgsl, activation.wgsl).
// Bindings a, b, bias (read), c (write); params m, n, k, blocksPerRow = ceil(N / 4), blocks in all;
// overrides SPLIT (a power of two, 4 at least), THREAD_PARTS (a test aid: add the threads' own
// partials, as where subgroups are not aligned runs) and the epilogue's:
// SHADERS.matmulSplitKSubgroups in src/backend/webgpu/shaders.ts.
// Workgroup: SPLIT threads, one 4x4 block of C per workgroup, blocks numbered row-major.

// part[g * 4 + r]: subgroup g's sums of row r of the block (thread g's if the subgroups are not aligned runs).
var<workgroup> part: array<vec4<f32>, 4 * SPLIT>;
// Set when some subgroup is not the aligned run of invocations its size implies.
var<workgroup> unaligned: atomic<u32>;

@compute @workgroup_size(SPLIT)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
  @builtin(subgroup_size) size: u32,
) {
  // Uniform per workgroup: either every thread returns or none does, so barriers stay uniform.
  let block = linearWorkgroup(wid, nwg);
  if (block >= params.blocks) {
    return;
  }
  // Where the block reads A and B, and this thread's share of k (matmul-block4.wgsl).
  let g = block4(block);
  let row = g.row;
  let col = g.col;
  let acc = block4Strided(g, lid, SPLIT);
  let sums = array<vec4<f32>, 4>(subgroupAdd(acc[0]), subgroupAdd(acc[1]), subgroupAdd(acc[2]), subgroupAdd(acc[3]));
  let first = subgroupMin(lid);
  let last = subgroupMax(lid);
  if (THREAD_PARTS || first % size != 0u || last != min(first + size, SPLIT) - 1u) {
    atomicStore(&unaligned, 1u);
  }
  workgroupBarrier();
  let aligned = atomicLoad(&unaligned) == 0u;
  if (!aligned || lid == first) {
    // This thread's own partials, or its subgroup's sums in the subgroup's slot.
    let slot = select(first / size, lid, !aligned);
    for (var r = 0u; r < 4u; r++) {
      part[slot * 4u + r] = select(sums[r], acc[r], !aligned);
    }
  }
  workgroupBarrier();
  // Thread r < 4 adds up and writes row r of the block.
  if (lid < 4u && row + lid < params.m) {
    let parts = select(SPLIT, (SPLIT + size - 1u) / size, aligned);
    var sums = vec4<f32>();
    for (var p = 0u; p < parts; p++) {
      sums += part[p * 4u + lid];
    }
    for (var q = 0u; q < 4u; q++) {
      if (col + q < params.n) {
        c[(row + lid) * params.n + col + q] = epilogue(sums[q], col + q);
      }
    }
  }
}
