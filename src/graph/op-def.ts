import type { MultiOutputOp, OpName, OpParams } from './op-params';
import type { Shape } from './shape';
import type { Tensor } from './tensor';

export interface BackwardArgs<K extends OpName> {
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  /** The gradient of the loss with respect to the output, shaped like it. */
  readonly dy: Tensor;
  readonly params: OpParams[K];
  /** Which inputs need a gradient: a backward may skip the others (return null). */
  readonly needs: readonly boolean[];
}

/** What the backward of an op with several outputs sees: every output and its gradient. */
export interface MultiBackwardArgs<K extends OpName> {
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  /** Per output, the gradient of the loss with respect to it; null where the loss does not use it. */
  readonly dys: readonly (Tensor | null)[];
  readonly params: OpParams[K];
  readonly needs: readonly boolean[];
}

/**
 * One primitive op: how its output shape follows from its inputs (and the checks that make a bad
 * call fail with a clear message), and its vector-Jacobian product, written with the same ops so
 * that it runs on every backend and can itself be traced. The forward computation is the
 * backend's kernel.
 */
export interface OpDef<K extends OpName> {
  /** Number of tensor inputs; 'variadic' for concat. */
  readonly arity: number | 'variadic';
  shape(inputs: readonly Shape[], params: OpParams[K]): Shape;
  /** One gradient per input, shaped like that input, or null where the input needs none. */
  backward(args: BackwardArgs<K>): (Tensor | null)[];
}

/**
 * An op with several outputs (op-params.ts `outputNames`), each shaped as `shape` gives: one
 * kernel computes them all, reading each input once.
 */
export interface MultiOutputOpDef<K extends OpName> {
  readonly arity: number;
  readonly multiOutput: true;
  shape(inputs: readonly Shape[], params: OpParams[K]): Shape;
  /** One gradient per input: the sum of what each output's gradient contributes. */
  backward(args: MultiBackwardArgs<K>): (Tensor | null)[];
}

export type AnyOpDef = OpDef<OpName> | MultiOutputOpDef<OpName>;

export type OpDefs<K extends OpName> = {
  readonly [P in K]: P extends MultiOutputOp ? MultiOutputOpDef<P> : OpDef<P>;
};
export type OpTable = OpDefs<OpName>;
