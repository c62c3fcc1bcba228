enable subgroups;
// reduce.wgsl with subgroup operations (only compiled where the device has `subgroups`): one
// workgroup of WG threads per output, each thread folding a strided share (reduce-workgroup.wgsl,
// the entry point); then subgroupAdd / subgroupMax combine each subgroup's shares, and every thread
// combines the subgroups' results from workgroup memory in a fixed order (subgroup-total.wgsl): 3
// barriers instead of the tree's log2(WG) + 1. Any subgroup size works, WG need not be a multiple.
// Max lets NaN win: subgroupMax's NaN handling is the adapter's, so a subgroup that saw one
// reports NaN itself. Bindings, params and overrides as reduce.wgsl's: SHADERS.reduceSubgroup.
var<workgroup> partial: array<f32, WG>;

fn total(lid: u32, v: f32) -> f32 {
  clearLeaders(lid);
  workgroupBarrier();
  var s = 0.0;
  if (OP == 0u) {
    s = subgroupAdd(v);
  } else {
    s = subgroupMax(v);
    if (subgroupAny(isNan(v))) {
      s = nan();
    }
  }
  if (markLeader(lid)) {
    partial[lid] = s;
  }
  workgroupBarrier();
  var result = identity();
  for (var i = nextLeader(0u); i < WG; i = nextLeader(i + 1u)) {
    result = combine(result, partial[i]);
  }
  return result;
}
