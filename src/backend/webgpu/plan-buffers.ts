/**
 * Buffer planning for a traced step: one buffer per input, constant and kept output; intermediates
 * share buffers by lifetime. A value's buffer goes back to the free list after the last node that
 * reads it, and a node's output never shares a buffer with its own inputs (a buffer may not be
 * bound read-only and writable in one dispatch). A reshape's output is its input's buffer read
 * under another shape (tensors are dense and row-major, so the values are the same bytes): no copy
 * and no dispatch, and the buffer lives until the last read of either.
 */
import { fmtShape } from '../../errors';
import { sizeOf } from '../../graph/shape';
import type { RecordingBackend } from './trace';

export interface PlannedBuffers {
  /** The buffer of each value; undefined for values bound elsewhere (`external`). */
  readonly bufferOf: (GPUBuffer | undefined)[];
  readonly intermediateBuffers: number;
  /** Reshape outputs that are their input's buffer: their nodes need no dispatch. */
  readonly aliased: ReadonlySet<number>;
}

export function planBuffers(
  traced: RecordingBackend,
  /** Values that keep a buffer of their own for the plan's life (outputs). */
  persistent: ReadonlySet<number>,
  /** Values whose buffers live outside the plan (state in a ring): no buffer is made for them. */
  external: ReadonlySet<number>,
  create: (length: number, label: string) => GPUBuffer,
  upload: (buffer: GPUBuffer, data: Float32Array) => void,
): PlannedBuffers {
  const { values, nodes } = traced;
  const owner = aliasReshapes(traced, persistent, external);
  const root = (v: number) => owner.get(v) ?? v;
  // Per buffer owner: the last node that reads it or a reshape of it.
  const lastUse = new Array<number>(values.length).fill(-1);
  nodes.forEach((node, i) => {
    for (const v of node.inputs) lastUse[root(v)] = i;
  });
  const bufferOf: (GPUBuffer | undefined)[] = new Array(values.length);
  values.forEach((v, id) => {
    if (v.kind === 'node' || external.has(id)) return;
    const buffer = create(sizeOf(v.shape), `${v.kind} ${id} ${fmtShape(v.shape)}`);
    bufferOf[id] = buffer;
    if (v.data && v.data.length > 0) upload(buffer, v.data);
  });
  const free: GPUBuffer[] = [];
  let intermediateBuffers = 0;
  nodes.forEach((node, i) => {
    const out = node.output;
    const bytes = Math.max(sizeOf(values[out].shape) * 4, 4);
    if (owner.has(out)) {
      bufferOf[out] = bufferOf[owner.get(out)!];
    } else if (external.has(out)) {
      // written straight into the ring
    } else if (persistent.has(out)) {
      bufferOf[out] = create(bytes / 4, `output ${out}`);
    } else {
      let buffer = takeFree(free, bytes);
      if (!buffer) {
        intermediateBuffers++;
        buffer = create(bytes / 4, `intermediate ${intermediateBuffers}`);
      }
      bufferOf[out] = buffer;
      if (lastUse[out] < 0) free.push(buffer);
    }
    for (const v of new Set(node.inputs.map(root))) {
      const reusable = values[v].kind === 'node' && !persistent.has(v) && !external.has(v);
      if (lastUse[v] === i && reusable) free.push(bufferOf[v]!);
    }
  });
  return { bufferOf, intermediateBuffers, aliased: new Set(owner.keys()) };
}

/**
 * Reshape outputs that can be their input's buffer (value id -> the value owning the buffer):
 * those planned here, not kept as outputs, over an input not in a ring (whose buffer changes with
 * the step's ring set).
 */
function aliasReshapes(
  traced: RecordingBackend,
  persistent: ReadonlySet<number>,
  external: ReadonlySet<number>,
): Map<number, number> {
  const owner = new Map<number, number>();
  for (const node of traced.nodes) {
    if (node.op !== 'reshape') continue;
    const source = owner.get(node.inputs[0]) ?? node.inputs[0];
    const out = node.output;
    if (persistent.has(out) || external.has(out) || external.has(source)) continue;
    owner.set(out, source);
  }
  return owner;
}

/** The smallest free buffer that holds `bytes`, removed from the list. */
function takeFree(free: GPUBuffer[], bytes: number): GPUBuffer | undefined {
  let best = -1;
  free.forEach((b, k) => {
    if (b.size >= bytes && (best < 0 || b.size < free[best].size)) best = k;
  });
  return best < 0 ? undefined : free.splice(best, 1)[0];
}
