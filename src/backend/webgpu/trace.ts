/**
 * Tracing a step for the planner: a backend that records ops instead of running them. Tensors
 * made inside the step (scalars, zero gradients) become constants of the plan.
 */
import { BackendError } from '../../errors';
import type { Backend, KernelInput } from '../../graph/backend';
import type { OpName, OpParams } from '../../graph/op-params';
import type { Shape } from '../../graph/shape';

/** A tensor during tracing: which value of the plan it is. */
export class TracedStorage {
  constructor(readonly id: number) {}
}

export type ValueKind = 'input' | 'constant' | 'node';

export interface TracedValue {
  readonly kind: ValueKind;
  readonly shape: Shape;
  /** Constants: the values, uploaded once when the plan is built. */
  readonly data?: Float32Array;
}

export interface TracedNode {
  readonly op: OpName;
  readonly inputs: readonly number[];
  readonly output: number;
  readonly params: OpParams[OpName];
}

/** Records ops instead of running them; tensors made inside the step become plan constants. */
export class RecordingBackend implements Backend {
  readonly name = 'webgpu' as const;
  readonly description = 'WebGPU step trace';
  readonly values: TracedValue[] = [];
  readonly nodes: TracedNode[] = [];

  add(value: TracedValue): TracedStorage {
    this.values.push(value);
    return new TracedStorage(this.values.length - 1);
  }

  upload(values: ArrayLike<number>, shape: Shape): TracedStorage {
    return this.add({ kind: 'constant', shape, data: Float32Array.from(values) });
  }

  run<K extends OpName>(
    op: K,
    inputs: readonly KernelInput[],
    outShape: Shape,
    params: OpParams[K],
  ): TracedStorage {
    const out = this.add({ kind: 'node', shape: outShape });
    this.nodes.push({
      op,
      inputs: inputs.map((x) => (x.storage as TracedStorage).id),
      output: out.id,
      params,
    });
    return out;
  }

  read(): Promise<Float32Array> {
    return Promise.reject(
      new BackendError('a traced step cannot read tensor values; return them as outputs'),
    );
  }

  readSync(): null {
    return null;
  }
}

/**
 * Drops the traced nodes that no output depends on (a softmax whose probabilities only a metric
 * would read, when no metric asks): ops are pure, so their dispatches would be wasted. Returns how
 * many were dropped.
 */
export function pruneDeadNodes(trace: RecordingBackend, outputs: readonly number[]): number {
  const live = new Set(outputs);
  const kept: TracedNode[] = [];
  for (let i = trace.nodes.length - 1; i >= 0; i--) {
    const node = trace.nodes[i];
    if (!live.has(node.output)) continue;
    kept.push(node);
    for (const v of node.inputs) live.add(v);
  }
  const dropped = trace.nodes.length - kept.length;
  trace.nodes.splice(0, trace.nodes.length, ...kept.reverse());
  return dropped;
}
