// Shared by pool-max.wgsl and pool-avg.wgsl (appended to both, before common.wgsl): the window
// geometry from the params words 2 inH, 3 inW, 4 channels, 5 outH, 6 outW, 7 poolH, 8 poolW,
// 9 strideH, 10 strideW, 11 padTop, 12 padLeft.
struct Geometry {
  inH: i32, inW: i32, ch: i32, outH: i32, outW: i32, pH: i32, pW: i32, sH: i32, sW: i32, padTop: i32,
  padLeft: i32,
}

fn geometry() -> Geometry {
  return Geometry(pi(2u), pi(3u), pi(4u), pi(5u), pi(6u), pi(7u), pi(8u), pi(9u), pi(10u), pi(11u), pi(12u));
}
