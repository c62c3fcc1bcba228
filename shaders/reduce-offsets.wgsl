// Shared by reduce.wgsl and reduce-serial.wgsl (appended to both, before common.wgsl): where output
// o's kept axes and step r of the reduced axes sit in x, from the dims rows KEPT_SHAPE, KEPT_STRIDES,
// REDUCED_SHAPE, REDUCED_STRIDES. SIMPLE 1: each side merged into at most one axis, so one multiply
// replaces the loop.

fn keptOffset(o: u32) -> u32 {
  if (SIMPLE == 1u) {
    return o * dim(KEPT_STRIDES, 0u);
  }
  return stridedOffset(o, params.keptRank, KEPT_SHAPE, KEPT_STRIDES);
}

fn reducedOffset(r: u32) -> u32 {
  if (SIMPLE == 1u) {
    return r * dim(REDUCED_STRIDES, 0u);
  }
  return stridedOffset(r, params.reducedRank, REDUCED_SHAPE, REDUCED_STRIDES);
}
