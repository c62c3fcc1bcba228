// Matrix product C[M,N] = op(A) op(B), op = optional transpose of the stored matrix:
//   A(i, k) = TRANS_A ? a[k * M + i] : a[i * K + k],  B(k, j) = TRANS_B ? b[j * K + k] : b[k * N + j].
// Shared-memory tiled variant, for GPUs: a TS x TS workgroup computes a 4TS x 4TS block of C, each
// thread a 4x4 block in registers. Per step along k the workgroup stages a 4TS x TS slice of A and
// a TS x 4TS slice of B in workgroup memory as vec4s (one vec4 per thread each), so every global
// value is read once per workgroup and the inner loop does 16 multiply-adds per two vec4 reads of
// workgroup memory. Values past the edges stage as 0 and outputs past them are not written. On
// CPU emulations the barriers cost more than the reuse saves (matmul-register.wgsl, matmul-vec4.wgsl).
// Epilogue (fusedMatmul): C = act(C + bias) with bias[N] added to every row when BIAS, act chosen
// by ACT (matmul-epilogue.wgsl, activation.wgsl: 0 linear, 1 relu, 2 sigmoid, 3 tanh). A plain
// matmul binds b again as the unread bias.
// Bindings a, b, bias (read), c (write); params m, n, k, blocksPerRow = ceil(N / 4TS), blocks in all;
// overrides TS and the epilogue's: SHADERS.matmulTiled in src/backend/webgpu/shaders.ts.
// Workgroup: TS x TS threads, blocks of C numbered row-major.

// tileA[k * TS + r]: rows 4r .. 4r + 3 of the block at step k; tileB[k * TS + q]: columns 4q .. 4q + 3.
var<workgroup> tileA: array<vec4<f32>, TS * TS>;
var<workgroup> tileB: array<vec4<f32>, TS * TS>;

// The end of this workgroup's part of k (params.k, or its slice's end with SLICES > 1).
var<private> kEnd: u32;

fn loadA(i: u32, k: u32) -> f32 {
  if (i >= params.m || k >= kEnd) {
    return 0.0;
  }
  if (TRANS_A) {
    return a[k * params.m + i];
  }
  return a[i * params.k + k];
}

fn loadB(k: u32, j: u32) -> f32 {
  if (k >= kEnd || j >= params.n) {
    return 0.0;
  }
  if (TRANS_B) {
    return b[j * params.k + k];
  }
  return b[k * params.n + j];
}

@compute @workgroup_size(TS, TS)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_id) local: vec3<u32>,
) {
  // Uniform per workgroup: either every thread returns or none does, so barriers stay uniform.
  // SLICES > 1: workgroup t computes block t % blocks over slice t / blocks of k (matmul-slices.wgsl).
  let t = linearWorkgroup(wid, nwg);
  if (t >= params.blocks * SLICES) {
    return;
  }
  let block = t % params.blocks;
  slice = t / params.blocks;
  let ks = sliceRange(t / params.blocks, params.k, TS);
  kEnd = ks.y;
  let side = 4u * TS;
  let row0 = (block / params.blocksPerRow) * side;
  let col0 = (block % params.blocksPerRow) * side;
  var acc0 = vec4<f32>();
  var acc1 = vec4<f32>();
  var acc2 = vec4<f32>();
  var acc3 = vec4<f32>();
  for (var k0 = ks.x; k0 < ks.y; k0 += TS) {
    // Thread (y, x) stages A rows 4x .. 4x + 3 and B columns 4x .. 4x + 3 at k = k0 + y.
    let k = k0 + local.y;
    let i = row0 + 4u * local.x;
    let j = col0 + 4u * local.x;
    tileA[local.y * TS + local.x] = vec4<f32>(loadA(i, k), loadA(i + 1u, k), loadA(i + 2u, k), loadA(i + 3u, k));
    tileB[local.y * TS + local.x] = vec4<f32>(loadB(k, j), loadB(k, j + 1u), loadB(k, j + 2u), loadB(k, j + 3u));
    workgroupBarrier();
    for (var kk = 0u; kk < TS; kk++) {
      let av = tileA[kk * TS + local.y];
      let bv = tileB[kk * TS + local.x];
      acc0 += av.x * bv;
      acc1 += av.y * bv;
      acc2 += av.z * bv;
      acc3 += av.w * bv;
    }
    workgroupBarrier();
  }
  let row = row0 + 4u * local.y;
  let col = col0 + 4u * local.x;
  store(row, col, acc0);
  store(row + 1u, col, acc1);
  store(row + 2u, col, acc2);
  store(row + 3u, col, acc3);
}

// Writes the columns of one row of a thread's 4x4 block that lie inside C.
fn store(row: u32, col: u32, v: vec4<f32>) {
  let m = params.m;
  let n = params.n;
  if (row >= m) {
    return;
  }
  for (var q = 0u; q < 4u; q++) {
    if (col + q < n) {
      storeC(row, col + q, v[q]);
    }
  }
}
