// Shared by the subgroup variants of the tree reductions (reduce-subgroup.wgsl,
// channel-reduce-subgroup.wgsl, softmax-subgroup.wgsl): which threads lead a subgroup, and the
// order their subgroups' results are combined in.
//
// Nothing here assumes a subgroup size, that subgroups are runs of consecutive invocation indices,
// or that WG is a multiple of the size (a last subgroup may be partial, and some adapters vary the
// size between dispatches): each subgroup is named by its lowest local index (subgroupMin), its
// leader sets that index's bit in `leaders`, and every thread then combines the leaders' results
// in index order, so the result does not depend on the order the leaders wrote in.
// The caller (uniform control flow, every thread of the workgroup) clears, marks, then folds.

var<workgroup> leaders: array<atomic<u32>, (WG + 31u) / 32u>;

// Step 1: clears the marks; a barrier must follow before `markLeader`.
fn clearLeaders(lid: u32) {
  if (lid < (WG + 31u) / 32u) {
    atomicStore(&leaders[lid], 0u);
  }
}

// Step 2: true for one thread of each subgroup, which records that its slot `lid` holds the
// subgroup's result (the caller writes it there); a barrier must follow before `nextLeader`.
fn markLeader(lid: u32) -> bool {
  let lead = subgroupMin(lid) == lid;
  if (lead) {
    atomicOr(&leaders[lid / 32u], 1u << (lid % 32u));
  }
  return lead;
}

// Step 3: the leaders' slots in ascending order: start = 0 gives the first, then start = last + 1;
// WG when none is left.
fn nextLeader(start: u32) -> u32 {
  var word = start / 32u;
  var bits = 0u;
  if (start < WG) {
    bits = atomicLoad(&leaders[word]) & (0xffffffffu << (start % 32u));
  }
  loop {
    if (bits != 0u || word + 1u >= (WG + 31u) / 32u) {
      break;
    }
    word++;
    bits = atomicLoad(&leaders[word]);
  }
  if (bits == 0u) {
    return WG;
  }
  return word * 32u + countTrailingZeros(bits);
}
