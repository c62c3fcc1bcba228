// Shared by reduce.wgsl and reduce-serial.wgsl (appended to both, before common.wgsl): where output
// o's kept axes and step r of the reduced axes sit in x. Params as in those files: 2 kept rank,
// 3..10 kept shape, 11..18 kept strides, 19 reduced rank, 20..27 reduced shape, 28..35 reduced
// strides. SIMPLE 1: each side merged into at most one axis, so one multiply replaces the loop.
override SIMPLE: u32 = 0u;

fn keptOffset(o: u32) -> u32 {
  if (SIMPLE == 1u) {
    return o * pu(11u);
  }
  return stridedOffset(o, pu(2u), 3u, 11u);
}

fn reducedOffset(r: u32) -> u32 {
  if (SIMPLE == 1u) {
    return r * pu(28u);
  }
  return stridedOffset(r, pu(19u), 20u, 28u);
}
