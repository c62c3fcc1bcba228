/**
 * Passes over a step program. Each takes a Program and returns a new one; none changes what the
 * program computes, only how many ops it takes.
 */
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

/** The passes every backend's compile runs, in order. */
export function optimizeProgram(program: Program): Program {
  return pruneDeadNodes(program);
}
