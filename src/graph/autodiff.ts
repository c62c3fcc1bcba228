/**
 * Reverse-mode automatic differentiation. `f` runs once with the tape on; every op output that
 * depends on an input keeps its node. The backward pass walks those nodes from the output back in
 * reverse topological order, asking each op's definition for its vector-Jacobian product, and sums
 * the gradients of tensors used more than once.
 */
import { fmtShape, InvalidArgumentError, ShapeError } from '../errors';
import { isRecording, noGrad, opDef, recordTape } from './engine';
// The ops' index, not a family file: importing it registers every op's backward (ops/defs).
import { add, fill } from './ops/index';
import { shapesEqual } from './shape';
import { type TapeNode, Tensor } from './tensor';

export interface ValueAndGrad {
  /** f at the inputs. */
  value: Tensor;
  /** d f / d input, one per input, each shaped like its input (zeros where f does not use it). */
  grads: Tensor[];
}

/**
 * Transforms a scalar function of tensors into one that also returns its gradient with respect to
 * every argument: `const { value, grads } = valueAndGrad((w, b) => loss(w, b))(w, b)`.
 */
export function valueAndGrad(f: (...inputs: Tensor[]) => Tensor): (...inputs: Tensor[]) => ValueAndGrad {
  return (...inputs) => {
    const tracked = inputs.map((t, i) => {
      if (!(t instanceof Tensor)) {
        throw new InvalidArgumentError(`valueAndGrad: every argument must be a Tensor, received ${typeof t}`);
      }
      // The backward pass runs off the tape, so an enclosing valueAndGrad would see this call's
      // value and gradients as constants and silently return wrong derivatives.
      if (t.requiresGrad && isRecording()) {
        throw new InvalidArgumentError(
          `valueAndGrad: argument ${i} ${fmtShape(t.shape)} is being differentiated by an enclosing ` +
            'valueAndGrad; nested differentiation is not supported',
        );
      }
      const copy = new Tensor(t.shape, t.storage, t.backend);
      copy.requiresGrad = true;
      return copy;
    });
    const value = recordTape(() => f(...tracked));
    if (!(value instanceof Tensor) || value.size !== 1) {
      throw new ShapeError(
        `valueAndGrad: f must return a scalar tensor, returned ${value instanceof Tensor ? fmtShape(value.shape) : typeof value}`,
      );
    }
    const gradients = noGrad(() => backpropagate(value));
    return {
      value: new Tensor(value.shape, value.storage, value.backend),
      grads: tracked.map((t) => gradients.get(t) ?? fill(t.shape, 0, t)),
    };
  };
}

/** The gradients only: `grad(f)(...inputs)` is `valueAndGrad(f)(...inputs).grads`. */
export function grad(f: (...inputs: Tensor[]) => Tensor): (...inputs: Tensor[]) => Tensor[] {
  const vg = valueAndGrad(f);
  return (...inputs) => vg(...inputs).grads;
}

function backpropagate(output: Tensor): Map<Tensor, Tensor> {
  const grads = new Map<Tensor, Tensor>([[output, fill(output.shape, 1, output)]]);
  const order = topologicalOrder(output);
  const done = new Set<TapeNode>();
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i].node;
    if (!node || done.has(node)) continue;
    done.add(node);
    const inputGrads = nodeBackward(node, order[i], grads);
    if (!inputGrads) continue;
    node.inputs.forEach((x, j) => {
      const g = inputGrads[j];
      if (!x.requiresGrad || !g) return;
      if (!shapesEqual(g.shape, x.shape)) {
        throw new ShapeError(
          `backward of ${node.op}: gradient ${fmtShape(g.shape)} for input ${j} does not match its shape ${fmtShape(x.shape)}`,
        );
      }
      const previous = grads.get(x);
      grads.set(x, previous ? add(previous, g) : g);
    });
  }
  return grads;
}

/** The input gradients of one node from its outputs' gradients; null where none of them has one. */
function nodeBackward(
  node: TapeNode,
  t: Tensor,
  grads: ReadonlyMap<Tensor, Tensor>,
): (Tensor | null)[] | null {
  const needs = node.inputs.map((x) => x.requiresGrad);
  const def = opDef(node.op);
  if ('multiOutput' in def) {
    const outputs = node.outputs ?? [t];
    const dys = outputs.map((o) => grads.get(o) ?? null);
    if (dys.every((dy) => dy === null)) return null;
    return def.backward({ inputs: node.inputs, outputs, dys, params: node.params, needs });
  }
  const dy = grads.get(t);
  if (!dy) return null;
  return def.backward({ inputs: node.inputs, output: t, dy, params: node.params, needs });
}

/**
 * Tensors reachable from `output` through recorded nodes, every input before its users. The
 * outputs of a node with several come together, so each of their gradients is complete when the
 * backward pass reaches the first of them.
 */
function topologicalOrder(output: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor | TapeNode>();
  // Iterative depth-first search: deep graphs (long training loops traced once) must not overflow the stack.
  const stack: [Tensor, boolean][] = [[output, false]];
  while (stack.length > 0) {
    const [t, expanded] = stack.pop()!;
    const key = t.node?.outputs ? t.node : t;
    if (expanded) {
      order.push(...(t.node?.outputs ?? [t]));
      continue;
    }
    if (visited.has(key)) continue;
    visited.add(key);
    stack.push([t, true]);
    for (const x of t.node?.inputs ?? []) {
      if (x.requiresGrad && !visited.has(x.node?.outputs ? x.node : x)) stack.push([x, false]);
    }
  }
  return order;
}
