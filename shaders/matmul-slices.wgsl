// Split-K across dispatches (kernels/matmul.ts 'slicedK'), appended to the matmul kernels with a
// SLICES override (register, vec4, tiled): with SLICES > 1 a dispatch computes SLICES partial
// products, each over its slice of k, and stores them bare (no epilogue) in slice-major
// [SLICES, M, N], a temporary that matmul-slices-sum.wgsl adds up in slice order and passes through
// the epilogue. SLICES = 1 is the plain kernel: the whole of k, the epilogue, C itself.

// Which slice of k this invocation sums (0 when SLICES = 1), for storeC; set by the kernel's main.
var<private> slice: u32;

// Slice s's part [x, y) of 0 .. k: SLICES near-equal parts, each a multiple of `align` long but
// the last (a slice past the end is empty, and stores zeros). s is a parameter, not `slice`, so
// that a workgroup-uniform s gives a uniform range (a private variable's value is not uniform).
fn sliceRange(s: u32, k: u32, align: u32) -> vec2<u32> {
  let per = (k + SLICES * align - 1u) / (SLICES * align) * align;
  let begin = min(s * per, k);
  return vec2<u32>(begin, min(begin + per, k));
}

// Stores the sum v of C(i, j): through the epilogue into C, or with SLICES > 1 bare into this
// slice's part of the partial sums.
fn storeC(i: u32, j: u32, v: f32) {
  if (SLICES == 1u) {
    c[i * params.n + j] = epilogue(v, j);
  } else {
    c[(slice * params.m + i) * params.n + j] = v;
  }
}
