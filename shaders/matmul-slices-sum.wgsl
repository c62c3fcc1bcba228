// The second dispatch of split-K across dispatches (kernels/matmul.ts 'slicedK'): C = act(sum of
// the SLICES partial products + bias), the partials being slice-major [slices, M, N] in a kernel
// temporary (matmul-slices.wgsl). Each item is one element of C, its partials added in slice order
// (0, 1, ...), so the result does not depend on how the work was scheduled. Epilogue as the
// matmul kernels' (matmul-epilogue.wgsl, activation.wgsl); without a bias, b binds again, unread.
// Bindings part, bias (read), c (write); params n = M * N items, cols = N, slices; overrides
// BIAS, ACT and the item loop's WG, PER: SHADERS.matmulSlicesSum in src/backend/webgpu/shaders.ts.

fn item(i: u32) {
  var v = 0.0;
  for (var s = 0u; s < params.slices; s++) {
    v += part[s * params.n + i];
  }
  c[i] = epilogue(v, i % params.cols);
}
