// channelAffine (src/graph/ops/channel.ts): y[i] = (x[i] - center[c]) scale[c] + shift[c] for the
// channel c = (i / inner) % C of element i: batch normalisation with given statistics, folded by
// the host into a per-channel scale and shift.
// Bindings x, center, scale, shift (C each), all read, and y (write); params channels (C), inner
// (elements after the channel axis): SHADERS.channelAffine in src/backend/webgpu/shaders.ts.
// Workgroup: one element per item (per-item.wgsl).

fn item(i: u32) {
  let c = (i / params.inner) % params.channels;
  y[i] = (x[i] - center[c]) * scale[c] + shift[c];
}
