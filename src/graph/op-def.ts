import type { OpName, OpParams } from './op-params';
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

export type OpDefs<K extends OpName> = { readonly [P in K]: OpDef<P> };
export type OpTable = OpDefs<OpName>;
