/**
 * Passes over a step program. Each takes a Program and returns a new one; none changes what the
 * program computes, only how many ops it takes.
 */
import type { OpParams } from '../op-params';
import type { Program, ProgramNode } from './program';

/** Value ids the caller can see after a step: named outputs and the state's next values. */
export function visibleValues(program: Program): Set<number> {
  return new Set([...program.outputs.values(), ...program.state.map((s) => s.output)]);
}

/**
 * Drops the nodes no output or state depends on (a softmax whose probabilities only a metric
 * would read, when no metric asks): ops are pure, so their work would be wasted.
 */
export function pruneDeadNodes(program: Program): Program {
  const live = visibleValues(program);
  const kept: ProgramNode[] = [];
  for (let i = program.nodes.length - 1; i >= 0; i--) {
    const node = program.nodes[i];
    if (!node.outputs.some((v) => live.has(v))) continue;
    kept.push(node);
    for (const v of node.inputs) live.add(v);
  }
  return { ...program, nodes: kept.reverse() };
}

/**
 * Merges one weight's three Adam parts (adamUpdate with part m, v and w, the same inputs and
 * constants, one after the other) into one node with outputs [m', v', w'], which a backend may
 * compute in one pass (shaders/adam-step.wgsl). Only where all three outputs are state's next
 * values: those are stored apart from every intermediate, so writing v' and w' at m's place in
 * the order clobbers nothing a node between reads.
 */
export function mergeAdamParts(program: Program): Program {
  const stateOut = new Set(program.state.map((s) => s.output));
  const nodes: ProgramNode[] = [];
  for (let i = 0; i < program.nodes.length; i++) {
    const group = adamGroup(program.nodes, i, stateOut);
    if (group) {
      nodes.push({ ...group[0], outputs: group.map((n) => n.outputs[0]) });
      i += 2;
    } else nodes.push(program.nodes[i]);
  }
  return { ...program, nodes };
}

function adamGroup(
  nodes: readonly ProgramNode[],
  i: number,
  stateOut: ReadonlySet<number>,
): ProgramNode[] | null {
  const group = nodes.slice(i, i + 3);
  if (
    group.length < 3 ||
    group.some((n) => n.op !== 'adamUpdate' || n.outputs.length !== 1 || !stateOut.has(n.outputs[0]))
  )
    return null;
  const params = group.map((n) => n.params as OpParams['adamUpdate']);
  if (params.map((p) => p.part).join() !== 'm,v,w') return null;
  const [first] = params;
  const sameCall = group.every(
    (n, k) =>
      n.inputs.every((v, j) => v === group[0].inputs[j]) &&
      params[k].beta1 === first.beta1 &&
      params[k].beta2 === first.beta2 &&
      params[k].epsilon === first.epsilon,
  );
  return sameCall ? group : null;
}

/** The passes every backend's compile runs, in order. */
export function optimizeProgram(program: Program): Program {
  return mergeAdamParts(pruneDeadNodes(program));
}
