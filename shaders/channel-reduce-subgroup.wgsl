enable subgroups;
// channel-reduce-tree.wgsl with subgroup operations (only compiled where the device has
// `subgroups`): one workgroup per channel; subgroupAdd sums each subgroup's pairs, and every thread
// adds the subgroups' sums from workgroup memory in a fixed order (subgroup-total.wgsl): 3 barriers
// per total instead of the tree's log2(WG) + 2. Any subgroup size works, WG need not be a multiple.
// Bindings, params and overrides as channel-reduce.wgsl's: SHADERS.channelReduceSubgroup.

var<workgroup> partial: array<vec2<f32>, WG>;

// The workgroup's total of each thread's pair; every thread gets it, and it may be called again.
fn total(lid: u32, v: vec2<f32>) -> vec2<f32> {
  clearLeaders(lid);
  workgroupBarrier();
  let s = subgroupAdd(v);
  if (markLeader(lid)) {
    partial[lid] = s;
  }
  workgroupBarrier();
  var sums = vec2<f32>();
  for (var i = nextLeader(0u); i < WG; i = nextLeader(i + 1u)) {
    sums += partial[i];
  }
  // The next call clears the marks and rewrites the slots: every thread must have read them.
  workgroupBarrier();
  return sums;
}
