// Row gather and its adjoint, for x of shape [rows, ...] seen as rows of `rowSize` values:
//   MODE 0 gather      y[i, j] = x[indices[i], j]
//   MODE 1 scatterAdd  y[r, j] = sum over i with indices[i] == r of x[i, j], in increasing i
//                      (the CPU's order, so sums agree to the bit; no atomics needed).
// An index outside [0, rows) reads as zeros (the CPU backend throws; a kernel cannot).
// Bindings: 0 x (read), 1 indices (read, integers stored as f32), 2 y (write), 3 params.
// Params: 0 n (output elements), 1 rowSize, 2 rows of x (gather) / number of indices (scatterAdd).
// Workgroup: WG threads, each PER output elements WG apart (as unary.wgsl).
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> indices: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override MODE: u32 = 0u;
override WG: u32 = 64u;
override PER: u32 = 1u;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let first = linearWorkgroup(wid, nwg) * WG * PER + lid;
  for (var k = 0u; k < PER; k++) {
    let i = first + k * WG;
    if (i >= pu(0u)) {
      return;
    }
    let rowSize = pu(1u);
    let row = i / rowSize;
    let col = i % rowSize;
    if (MODE == 0u) {
      let r = indices[row];
      let inside = r >= 0.0 && r < f32(pu(2u));
      y[i] = select(0.0, x[u32(max(r, 0.0)) * rowSize + col], inside);
    } else {
      var s = 0.0;
      let wanted = f32(row);
      for (var k = 0u; k < pu(2u); k++) {
        if (indices[k] == wanted) {
          s += x[k * rowSize + col];
        }
      }
      y[i] = s;
    }
  }
}
