// Where a 4x4 block of C reads A and B, shared by the kernels that give each block one thread or
// one workgroup (matmul-register.wgsl, matmul-splitk.wgsl, matmul-splitk-subgroups.wgsl). Blocks are numbered row-major,
// params.blocksPerRow to a row. Rows and columns past the edge are clamped to the last one (valid
// memory, results never written), so the k loop has no branches; the transposes are override
// constants, so the selects fold away.

struct Block4 {
  // The block's first row and column of C.
  row: u32,
  col: u32,
  // Element (i, k) of A is at aBase[i] + k * aStep; element (k, j) of B at bBase[j] + k * bStep.
  aBase: vec4<u32>,
  aStep: u32,
  bBase: vec4<u32>,
  bStep: u32,
}

fn block4(block: u32) -> Block4 {
  let m = params.m;
  let n = params.n;
  let kk = params.k;
  let row = (block / params.blocksPerRow) * 4u;
  let col = (block % params.blocksPerRow) * 4u;
  let rows = min(vec4<u32>(row, row + 1u, row + 2u, row + 3u), vec4<u32>(m - 1u));
  let cols = min(vec4<u32>(col, col + 1u, col + 2u, col + 3u), vec4<u32>(n - 1u));
  return Block4(
    row,
    col,
    select(rows * kk, rows, TRANS_A),
    select(1u, m, TRANS_A),
    select(cols, cols * kk, TRANS_B),
    select(n, 1u, TRANS_B),
  );
}

// The block's sums over k = first, first + step, ... < K (one split-K thread's share), row r in [r].
fn block4Strided(g: Block4, first: u32, step: u32) -> array<vec4<f32>, 4> {
  var acc0 = vec4<f32>();
  var acc1 = vec4<f32>();
  var acc2 = vec4<f32>();
  var acc3 = vec4<f32>();
  for (var k = first; k < params.k; k += step) {
    let ka = k * g.aStep;
    let kb = k * g.bStep;
    let bv = vec4<f32>(b[g.bBase.x + kb], b[g.bBase.y + kb], b[g.bBase.z + kb], b[g.bBase.w + kb]);
    acc0 += a[g.aBase.x + ka] * bv;
    acc1 += a[g.aBase.y + ka] * bv;
    acc2 += a[g.aBase.z + ka] * bv;
    acc3 += a[g.aBase.w + ka] * bv;
  }
  return array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
}
