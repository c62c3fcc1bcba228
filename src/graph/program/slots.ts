/**
 * Memory planning for a step program, shared by the backends: one slot per input, constant and
 * kept output; intermediates share slots by lifetime. A value's slot goes back to the free list
 * after the last node that reads it, and a node's output never shares a slot with its own inputs
 * or its other outputs (a GPU buffer may not be bound read-only and writable in one dispatch; a
 * CPU kernel may read an input after writing part of its output). A reshape's output is its input's slot read under
 * another shape (tensors are dense and row-major, so the values are the same bytes): no copy and
 * no kernel, and the slot lives until the last read of either.
 */
import { fmtShape } from '../../errors';
import { sizeOf } from '../shape';
import type { ProgramNode, ProgramValue } from './program';

export interface Slot {
  /** Bytes as float32 (at least 4: a GPU buffer may not be empty). */
  readonly bytes: number;
  readonly label: string;
  /** Constants: the values to upload. */
  readonly data?: Float32Array;
}

export interface SlotPlan {
  readonly slots: readonly Slot[];
  /** The slot of each value; undefined for values stored elsewhere (`external`). */
  readonly slotOf: readonly (number | undefined)[];
  readonly intermediateSlots: number;
  /** Reshape outputs that are their input's slot: their nodes need no kernel. */
  readonly aliased: ReadonlySet<number>;
}

interface Steps {
  readonly values: readonly ProgramValue[];
  readonly nodes: readonly ProgramNode[];
}

export function planSlots(
  program: Steps,
  /** Values that keep a slot of their own for the step's life (outputs read after it). */
  persistent: ReadonlySet<number>,
  /** Values stored outside the plan (state in a ring): no slot is made for them. */
  external: ReadonlySet<number>,
): SlotPlan {
  const { values, nodes } = program;
  const owner = aliasReshapes(nodes, persistent, external);
  const root = (v: number) => owner.get(v) ?? v;
  // Per slot owner: the last node that reads it or a reshape of it.
  const lastUse = new Array<number>(values.length).fill(-1);
  nodes.forEach((node, i) => {
    for (const v of node.inputs) lastUse[root(v)] = i;
  });
  const slots: Slot[] = [];
  const slotOf: (number | undefined)[] = new Array(values.length);
  const make = (length: number, label: string, data?: Float32Array): number => {
    slots.push({ bytes: Math.max(length * 4, 4), label, ...(data ? { data } : {}) });
    return slots.length - 1;
  };
  values.forEach((v, id) => {
    if (v.kind === 'node' || external.has(id)) return;
    slotOf[id] = make(sizeOf(v.shape), `${v.kind} ${id} ${fmtShape(v.shape)}`, v.data);
  });
  const free: number[] = [];
  let intermediateSlots = 0;
  nodes.forEach((node, i) => {
    // Outputs no node reads free their slots only after the node: its outputs must not share one.
    const unread: number[] = [];
    for (const out of node.outputs) {
      const bytes = Math.max(sizeOf(values[out].shape) * 4, 4);
      if (owner.has(out)) {
        slotOf[out] = slotOf[owner.get(out)!];
      } else if (external.has(out)) {
        // written straight into the state's storage
      } else if (persistent.has(out)) {
        slotOf[out] = make(bytes / 4, `output ${out}`);
      } else {
        let slot = takeFree(free, slots, bytes);
        if (slot === undefined) {
          intermediateSlots++;
          slot = make(bytes / 4, `intermediate ${intermediateSlots}`);
        }
        slotOf[out] = slot;
        if (lastUse[out] < 0) unread.push(slot);
      }
    }
    free.push(...unread);
    for (const v of new Set(node.inputs.map(root))) {
      const reusable = values[v].kind === 'node' && !persistent.has(v) && !external.has(v);
      if (lastUse[v] === i && reusable) free.push(slotOf[v]!);
    }
  });
  return { slots, slotOf, intermediateSlots, aliased: new Set(owner.keys()) };
}

/**
 * Reshape outputs that can be their input's slot (value id -> the value owning the slot): those
 * planned here, not kept as outputs, over an input not stored elsewhere (whose storage may change
 * from step to step).
 */
function aliasReshapes(
  nodes: readonly ProgramNode[],
  persistent: ReadonlySet<number>,
  external: ReadonlySet<number>,
): Map<number, number> {
  const owner = new Map<number, number>();
  for (const node of nodes) {
    if (node.op !== 'reshape') continue;
    const source = owner.get(node.inputs[0]) ?? node.inputs[0];
    const out = node.outputs[0];
    if (persistent.has(out) || external.has(out) || external.has(source)) continue;
    owner.set(out, source);
  }
  return owner;
}

/** The smallest free slot that holds `bytes`, removed from the list. */
function takeFree(free: number[], slots: readonly Slot[], bytes: number): number | undefined {
  let best = -1;
  free.forEach((s, k) => {
    if (slots[s].bytes >= bytes && (best < 0 || slots[s].bytes < slots[free[best]].bytes)) best = k;
  });
  return best < 0 ? undefined : free.splice(best, 1)[0];
}

/**
 * Whether `small` can keep its values in the memory planned for `large`: the same values and
 * nodes (the same model traced at a smaller batch size), each non-constant value no larger there.
 * Lifetimes then agree, so every sharing the large plan found holds for the small one too.
 */
export function fitsPlanOf(small: Steps, large: Steps): boolean {
  if (small.values.length !== large.values.length || small.nodes.length !== large.nodes.length) return false;
  const sameValues = small.values.every(
    (v, id) =>
      v.kind === large.values[id].kind &&
      (v.kind === 'constant' || sizeOf(v.shape) <= sizeOf(large.values[id].shape)),
  );
  const same = (a: readonly number[], b: readonly number[]) =>
    a.length === b.length && a.every((v, k) => v === b[k]);
  return (
    sameValues &&
    small.nodes.every((n, i) => {
      const m = large.nodes[i];
      return n.op === m.op && same(n.inputs, m.inputs) && same(n.outputs, m.outputs);
    })
  );
}
