/**
 * The step program: one traced step (forward, loss, backward, optimizer update), backend-neutral,
 * as a list of primitive ops over numbered values. Everything a caller touches has a name: inputs
 * written before each step (the batch, the optimizer's step scalars), outputs read after it (the
 * loss, the predictions metrics need) and state, which the step reads and replaces (weights,
 * optimizer slots, moving statistics). Passes (passes.ts) rewrite it; each backend lowers it with
 * `Backend.compile` (src/backend/backend.ts).
 */
import { InvalidArgumentError } from '../../errors';
import type { OpName, OpParams } from '../op-params';
import type { Shape } from '../shape';

export type ValueKind = 'input' | 'constant' | 'node';

export interface ProgramValue {
  readonly kind: ValueKind;
  readonly shape: Shape;
  /** Constants: the values, uploaded once when the program is compiled. */
  readonly data?: Float32Array;
}

/**
 * One op of the step. Most ops have one output; the multi-output ops (op-params.ts `outputNames`:
 * an optimizer update's slots and weight) have one per name, in order.
 */
export interface ProgramNode {
  readonly op: OpName;
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly params: OpParams[OpName];
}

/** State `name`: read from value `input` by a step, replaced by value `output` after it. */
export interface StateSlot {
  readonly name: string;
  readonly input: number;
  readonly output: number;
}

export interface Program {
  readonly values: readonly ProgramValue[];
  readonly nodes: readonly ProgramNode[];
  /** Inputs written before a step, by name: value ids of kind 'input'. */
  readonly inputs: ReadonlyMap<string, number>;
  /** Outputs a step can read, by name (a value id; two names may share one). */
  readonly outputs: ReadonlyMap<string, number>;
  readonly state: readonly StateSlot[];
}

/** The value id of input `name`; throws naming the program's inputs when there is none. */
export function inputId(program: Program, name: string): number {
  const id = program.inputs.get(name);
  if (id === undefined) {
    throw new ProgramNameError('input', name, [...program.inputs.keys()]);
  }
  return id;
}

/** The value id of output `name` (or of state `name`'s next value). */
export function outputId(program: Program, name: string): number {
  const id = program.outputs.get(name) ?? program.state.find((s) => s.name === name)?.output;
  if (id === undefined) {
    throw new ProgramNameError('output', name, [
      ...program.outputs.keys(),
      ...program.state.map((s) => s.name),
    ]);
  }
  return id;
}

/** The index of state `name` in program.state. */
export function stateIndex(program: Program, name: string): number {
  const j = program.state.findIndex((s) => s.name === name);
  if (j < 0)
    throw new ProgramNameError(
      'state',
      name,
      program.state.map((s) => s.name),
    );
  return j;
}

/** A name the program does not have: says which names it has. */
export class ProgramNameError extends InvalidArgumentError {
  constructor(what: 'input' | 'output' | 'state', name: string, known: readonly string[]) {
    super(
      `the step program has no ${what} '${name}'; its ${what}s are ${known.length ? known.map((k) => `'${k}'`).join(', ') : 'none'}`,
    );
  }
}
