// Dropout: y[i] = keep(i) ? x[i] * scale : 0, with keep(i) = (bits(key, i) >> 8) >= threshold and
// bits(key, i) = hash32(hash32(i ^ key) + key), hash32 = lowbias32. The same u32 arithmetic as
// src/graph/random.ts, so masks are bit-for-bit those of the CPU backend; the decision compares
// integers, never floats.
// Bindings x (read), y (write); params key = streamKey(seed, step), threshold = floor(rate * 2^24),
// scale = 1 / (1 - rate): SHADERS.dropout in src/backend/webgpu/shaders.ts.
// Workgroup: one element per item (per-item.wgsl).

fn hash32(v: u32) -> u32 {
  var h = v;
  h = h ^ (h >> 16u);
  h = h * 0x7feb352du;
  h = h ^ (h >> 15u);
  h = h * 0x846ca68bu;
  h = h ^ (h >> 16u);
  return h;
}

fn item(i: u32) {
  let key = params.key;
  let bits = hash32(hash32(i ^ key) + key);
  y[i] = select(0.0, x[i] * params.scale, (bits >> 8u) >= params.threshold);
}
