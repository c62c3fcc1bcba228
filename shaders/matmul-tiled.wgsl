// Matrix product C[M,N] = op(A) op(B), op = optional transpose of the stored matrix:
//   A(i, k) = TRANS_A ? a[k * M + i] : a[i * K + k],  B(k, j) = TRANS_B ? b[j * K + k] : b[k * N + j].
// Shared-memory tiled variant: a TILE x TILE workgroup computes a TILE x TILE block of C, staging
// TILE x TILE tiles of A and B in workgroup memory so each global value is read once per
// workgroup. This is what wins on real GPUs; on CPU emulations the barriers cost more.
// Epilogue (fusedMatmul): C = act(C + bias) with bias[N] added to every row when BIAS, act chosen
// by ACT (activation.wgsl: 0 linear, 1 relu, 2 sigmoid, 3 tanh). A plain matmul binds b again as
// the unread bias.
// Bindings: 0 a (read), 1 b (read), 2 bias (read), 3 c (write), 4 params.
// Params: 0 M, 1 N, 2 K, 5 tiles per row of C = ceil(N / TILE), 6 tiles in all.
// Overrides: TILE, TRANS_A, TRANS_B, BIAS, ACT.
// Workgroup: TILE x TILE threads (override TILE), one output element each, tiles numbered row-major.
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

override TILE: u32 = 16u;
override TRANS_A: bool = false;
override TRANS_B: bool = false;
override BIAS: bool = false;
override ACT: u32 = 0u;

var<workgroup> tileA: array<f32, TILE * TILE>;
var<workgroup> tileB: array<f32, TILE * TILE>;

@compute @workgroup_size(TILE, TILE)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_id) local: vec3<u32>,
) {
  // Uniform per workgroup: either every thread returns or none does, so barriers stay uniform.
  let tile = linearWorkgroup(wid, nwg);
  if (tile >= pu(6u)) {
    return;
  }
  let m = pu(0u);
  let n = pu(1u);
  let kk = pu(2u);
  let row = (tile / pu(5u)) * TILE + local.y;
  let col = (tile % pu(5u)) * TILE + local.x;
  var acc = 0.0;
  for (var k0 = 0u; k0 < kk; k0 += TILE) {
    // Thread (y, x) loads A(row, k0 + x) and B(k0 + y, col).
    let ka = k0 + local.x;
    let kb = k0 + local.y;
    var va = 0.0;
    if (row < m && ka < kk) {
      va = select(a[row * kk + ka], a[ka * m + row], TRANS_A);
    }
    var vb = 0.0;
    if (kb < kk && col < n) {
      vb = select(b[kb * n + col], b[col * kk + kb], TRANS_B);
    }
    tileA[local.y * TILE + local.x] = va;
    tileB[local.y * TILE + local.x] = vb;
    workgroupBarrier();
    for (var k = 0u; k < TILE; k++) {
      acc += tileA[local.y * TILE + k] * tileB[k * TILE + local.x];
    }
    workgroupBarrier();
  }
  if (row < m && col < n) {
    c[row * n + col] = epilogue(acc, col);
  }
}

fn epilogue(v: f32, col: u32) -> f32 {
  if (BIAS) {
    return activate(v + bias[col], ACT);
  }
  return activate(v, ACT);
}
