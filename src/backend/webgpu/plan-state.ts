/**
 * How a plan's state inputs and outputs map onto a StateRing: state j is read from input
 * inputs[j] (the ring's current set) and its next value is output outputs[j]. A node output is
 * written straight into the next set; anything else (an input passed through unchanged, a value
 * two states share) is copied there after the dispatches.
 */
import { fmtShape, InvalidArgumentError } from '../../errors';
import { shapesEqual } from '../../graph/shape';
import type { StateRing } from './state-ring';
import type { TracedValue } from './trace';

export interface PlanStateBinding {
  readonly ring: StateRing;
  /** inputs[j]: the step input that reads state j (from the ring's current set). */
  readonly inputs: readonly number[];
  /** outputs[j]: the step output whose value becomes state j (written into the next set). */
  readonly outputs: readonly number[];
}

export interface BoundState {
  /** Value id of a state input -> state index. */
  readonly stateIn: Map<number, number>;
  /** Value id of a node output written in place into the next set -> state index. */
  readonly stateOut: Map<number, number>;
  /** States whose next value is written in place (the others are copied). */
  readonly claimed: Set<number>;
}

/** Checks the binding against the traced values and decides which outputs are written in place. */
export function bindState(
  values: readonly TracedValue[],
  outputIds: readonly number[],
  state: PlanStateBinding | undefined,
): BoundState {
  const bound: BoundState = { stateIn: new Map(), stateOut: new Map(), claimed: new Set() };
  if (!state) return bound;
  const { ring, inputs, outputs } = state;
  if (inputs.length !== ring.shapes.length || outputs.length !== ring.shapes.length) {
    throw new InvalidArgumentError(
      `StepPlan: the ring holds ${ring.shapes.length} states, the binding names ${inputs.length} inputs and ${outputs.length} outputs`,
    );
  }
  ring.shapes.forEach((shape, j) => {
    const input = values[inputs[j]];
    const out = outputIds[outputs[j]];
    if (input?.kind !== 'input' || out === undefined || !shapesEqual(input.shape, shape)) {
      throw new InvalidArgumentError(
        `StepPlan: state ${j} ${fmtShape(shape)} must be input ${inputs[j]} and output ${outputs[j]} of that shape`,
      );
    }
    if (!shapesEqual(values[out].shape, shape)) {
      throw new InvalidArgumentError(
        `StepPlan: output ${outputs[j]} has shape ${fmtShape(values[out].shape)}, state ${j} is ${fmtShape(shape)}`,
      );
    }
    bound.stateIn.set(inputs[j], j);
  });
  outputs.forEach((k, j) => {
    const out = outputIds[k];
    if (values[out].kind === 'node' && !bound.stateOut.has(out)) {
      bound.stateOut.set(out, j);
      bound.claimed.add(j);
    }
  });
  return bound;
}
