enable subgroups;
// softmax.wgsl's one workgroup per line (SERIAL 0) with subgroup operations (only compiled where
// the device has `subgroups`): subgroupMax / subgroupAdd combine each subgroup's shares, and every
// thread combines the subgroups' results from workgroup memory in a fixed order
// (subgroup-total.wgsl): 3 barriers per total instead of the tree's log2(WG) + 2. Any subgroup size
// works, WG need not be a multiple. Bindings, params and overrides as softmax.wgsl's:
// SHADERS.softmaxSubgroup in src/backend/webgpu/shaders.ts.

var<workgroup> partial: array<vec2<f32>, WG>;

// Every thread's v combined, componentwise max or componentwise sum; every thread gets it.
fn total(lid: u32, v: vec2<f32>, useMax: bool) -> vec2<f32> {
  clearLeaders(lid);
  workgroupBarrier();
  var s = vec2<f32>();
  if (useMax) {
    s = subgroupMax(v);
  } else {
    s = subgroupAdd(v);
  }
  if (markLeader(lid)) {
    partial[lid] = s;
  }
  workgroupBarrier();
  var result = select(vec2<f32>(), vec2<f32>(negInf()), useMax);
  for (var i = nextLeader(0u); i < WG; i = nextLeader(i + 1u)) {
    result = select(result + partial[i], max(result, partial[i]), useMax);
  }
  // The next call clears the marks and rewrites the slots: every thread must have read them.
  workgroupBarrier();
  return result;
}
