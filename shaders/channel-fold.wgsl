// Shared by the channel reductions (appended to channel-reduce.wgsl and channel-reduce-tree.wgsl):
// the element index of a channel's e-th element, a compensated sum, and one thread's fold.

// Element e of channel c in x viewed as [outer, C, inner] (params channels, inner); SIMPLE when inner
// is 1 (channels last), which needs no division.
fn element(c: u32, e: u32) -> u32 {
  if (SIMPLE) {
    return e * params.channels + c;
  }
  let inner = params.inner;
  return ((e / inner) * params.channels + c) * inner + e % inner;
}

// (sum, lost low-order part) plus v, compensated (Kahan) as in reduce-serial.wgsl; an infinite or
// NaN sum drops the compensation, which would turn it into NaN.
fn kahan(acc: vec2<f32>, v: f32) -> vec2<f32> {
  let term = v - acc.y;
  let next = acc.x + term;
  return vec2<f32>(next, select(0.0, (next - acc.x) - term, abs(next) <= bitcast<f32>(0x7f7fffffu)));
}

// Channel c's sums over e = first, first + step, ... < end (at most N, params.perChannel). MODE 0
// stage 0: (sum x, 0); stage 1: (sum (x - mean)^2, 0). MODE 1: (sum dy (x - center), sum dy), dy in `a`.
fn fold(c: u32, first: u32, end: u32, step: u32, stage: u32, mean: f32) -> vec2<f32> {
  var s0 = vec2<f32>();
  var s1 = vec2<f32>();
  for (var e = first; e < end; e += step) {
    let i = element(c, e);
    if (MODE == 1u) {
      let g = a[i];
      s0 = kahan(s0, g * (x[i] - center[c]));
      s1 = kahan(s1, g);
    } else if (stage == 0u) {
      s0 = kahan(s0, a[i]);
    } else {
      let d = a[i] - mean;
      s0 = kahan(s0, d * d);
    }
  }
  return vec2<f32>(s0.x, s1.x);
}
