// Shared by channel-reduce-tree.wgsl and channel-reduce-subgroup.wgsl (appended to both): the entry
// point of one workgroup per channel. The kernel's own `total(lid, v)` gives every thread the
// workgroup's sum of each thread's pair, and may be called again at once.
// PARTS > 1 (MODE 1 only): the first pass of a two-pass channelSums (kernels/reduce-candidates.ts):
// workgroup g sums part g % PARTS (a contiguous run of ceil(N / PARTS) elements, maybe empty) of
// channel g / PARTS into out[2g] and out[2g + 1], a kernel temporary [C, PARTS, 2] that
// reduce-serial.wgsl then sums in part order into [2, C].

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  // One workgroup per channel (or part of one), so c is uniform and every barrier is reached by all
  // threads.
  let g = linearWorkgroup(wid, nwg);
  let c = g / PARTS;
  let channels = params.channels;
  let count = params.perChannel;
  let chunk = (count + PARTS - 1u) / PARTS;
  let begin = (g % PARTS) * chunk;
  let end = min(begin + chunk, count);
  let n = f32(count);
  let first = total(lid, fold(c, begin + lid, end, WG, 0u, 0.0));
  if (MODE == 1u) {
    if (lid == 0u && PARTS == 1u) {
      out[c] = first.x;
      out[channels + c] = first.y;
    } else if (lid == 0u) {
      out[2u * g] = first.x;
      out[2u * g + 1u] = first.y;
    }
    return;
  }
  let mean = first.x / n;
  let squares = total(lid, fold(c, lid, count, WG, 1u, mean));
  if (lid == 0u) {
    out[c] = mean;
    out[channels + c] = squares.x / n;
  }
}
