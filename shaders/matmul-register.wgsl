// Matrix product C[M,N] = op(A) op(B), op = optional transpose of the stored matrix:
//   A(i, k) = TRANS_A ? a[k * M + i] : a[i * K + k],  B(k, j) = TRANS_B ? b[j * K + k] : b[k * N + j].
// Register-blocked variant: each thread keeps a 4x4 block of C in registers and walks k once,
// loading 4 values of A and 4 of B per step (16 multiply-adds per 8 loads). No workgroup memory
// and no barriers, which is what wins on CPU emulations (SwiftShader, llvmpipe).
// Bindings: 0 a (read), 1 b (read), 2 c (write), 3 params.
// Params: 0 M, 1 N, 2 K, 3 TRANS_A (0/1), 4 TRANS_B (0/1), 5 blocks per row of C = ceil(N / 4),
//         6 blocks in all.
// Workgroup: WG threads (override), one 4x4 block each, blocks numbered row-major.
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override WG: u32 = 64u;

fn loadA(i: u32, k: u32, m: u32, kk: u32, transA: bool) -> f32 {
  if (i >= m) {
    return 0.0;
  }
  return select(a[i * kk + k], a[k * m + i], transA);
}

fn loadB(k: u32, j: u32, n: u32, kk: u32, transB: bool) -> f32 {
  if (j >= n) {
    return 0.0;
  }
  return select(b[k * n + j], b[j * kk + k], transB);
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let block = linearWorkgroup(wid, nwg) * WG + lid;
  if (block >= pu(6u)) {
    return;
  }
  let m = pu(0u);
  let n = pu(1u);
  let kk = pu(2u);
  let transA = pu(3u) != 0u;
  let transB = pu(4u) != 0u;
  let row = (block / pu(5u)) * 4u;
  let col = (block % pu(5u)) * 4u;
  var acc: array<vec4<f32>, 4>;
  for (var k = 0u; k < kk; k++) {
    let bv = vec4<f32>(
      loadB(k, col, n, kk, transB),
      loadB(k, col + 1u, n, kk, transB),
      loadB(k, col + 2u, n, kk, transB),
      loadB(k, col + 3u, n, kk, transB),
    );
    acc[0] += loadA(row, k, m, kk, transA) * bv;
    acc[1] += loadA(row + 1u, k, m, kk, transA) * bv;
    acc[2] += loadA(row + 2u, k, m, kk, transA) * bv;
    acc[3] += loadA(row + 3u, k, m, kk, transA) * bv;
  }
  for (var r = 0u; r < 4u; r++) {
    if (row + r >= m) {
      break;
    }
    for (var q = 0u; q < 4u; q++) {
      if (col + q < n) {
        c[(row + r) * n + col + q] = acc[r][q];
      }
    }
  }
}
