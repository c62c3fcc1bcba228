/**
 * Where a compiled step keeps its state: state j is read from its input value (the set the step
 * reads) and its next value goes to the next set. A node output is written straight there; any
 * other next value (an input passed through unchanged, a value two states share) is copied after
 * the step's kernels.
 */
import type { Program } from './program';

export interface BoundState {
  /** Value id of a state input -> state index. */
  readonly stateIn: ReadonlyMap<number, number>;
  /** Value id of a node output written in place into the next set -> state index. */
  readonly stateOut: ReadonlyMap<number, number>;
  /** States whose next value is written in place (the others are copied). */
  readonly claimed: ReadonlySet<number>;
  /** stateIn and stateOut's keys: values stored in the state sets, not in planned slots. */
  readonly external: ReadonlySet<number>;
}

export function bindState(program: Program): BoundState {
  const stateIn = new Map<number, number>();
  const stateOut = new Map<number, number>();
  const claimed = new Set<number>();
  program.state.forEach((s, j) => {
    stateIn.set(s.input, j);
  });
  program.state.forEach((s, j) => {
    if (program.values[s.output].kind === 'node' && !stateOut.has(s.output)) {
      stateOut.set(s.output, j);
      claimed.add(j);
    }
  });
  return { stateIn, stateOut, claimed, external: new Set([...stateIn.keys(), ...stateOut.keys()]) };
}
