/**
 * Buffer planning for a traced step: one buffer per input, constant and kept output; intermediates
 * share buffers by lifetime. A value's buffer goes back to the free list after the last node that
 * reads it, and a node's output never shares a buffer with its own inputs (a buffer may not be
 * bound read-only and writable in one dispatch).
 */
import { fmtShape } from '../../errors';
import { sizeOf } from '../../graph/shape';
import type { RecordingBackend } from './trace';

export interface PlannedBuffers {
  /** The buffer of each value; undefined for values bound elsewhere (`external`). */
  readonly bufferOf: (GPUBuffer | undefined)[];
  readonly intermediateBuffers: number;
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
  const lastUse = new Array<number>(values.length).fill(-1);
  nodes.forEach((node, i) => {
    for (const v of node.inputs) lastUse[v] = i;
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
    if (external.has(out)) {
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
    for (const v of new Set(node.inputs)) {
      const reusable = values[v].kind === 'node' && !persistent.has(v) && !external.has(v);
      if (lastUse[v] === i && reusable) free.push(bufferOf[v]!);
    }
  });
  return { bufferOf, intermediateBuffers };
}

/** The smallest free buffer that holds `bytes`, removed from the list. */
function takeFree(free: GPUBuffer[], bytes: number): GPUBuffer | undefined {
  let best = -1;
  free.forEach((b, k) => {
    if (b.size >= bytes && (best < 0 || b.size < free[best].size)) best = k;
  });
  return best < 0 ? undefined : free.splice(best, 1)[0];
}
