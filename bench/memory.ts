// GPU memory over a long fit, for issue 9's "GPU bytes allocated flat over 50 epochs": one model
// trained for `epochs` epochs in a single fit, with our WebGPU backend's allocation counters read
// at the end of chosen epochs. Counters are cumulative since the backend was made, so flat means
// nothing was allocated after the first epoch. This reaches past the public API (the backend's
// counters are internal), which is why it is not part of the Library contract in libs/.

import { setBackend } from '../src/backend/index';
import { WebGPUBackend } from '../src/backend/webgpu/webgpu-backend';
import { currentBackend } from '../src/graph/engine';
import { Callback } from '../src/index';
import type { Dataset } from './data';
import type { ModelKind } from './libs/library';
import { build } from './libs/ours';

export interface MemorySpec {
  workload: 'W2' | 'W3';
  /** Rows in the dataset. */
  size: number;
  batchSize: number;
  epochs: number;
  /** Epochs (1-based) after which the counters are read. */
  marks: number[];
}

export interface MemoryMark {
  epoch: number;
  /** Since fit started: GPU buffers created and their bytes (tensors, plan buffers, uniforms, staging). */
  buffersCreated: number;
  bytesAllocated: number;
  /** Tensor buffers destroyed since fit started because their tensor was garbage-collected. */
  buffersReleased: number;
}

export interface MemoryResult {
  description: string;
  marks: MemoryMark[];
  ms: number;
}

class CounterMarks extends Callback {
  readonly marks: MemoryMark[] = [];
  constructor(
    private readonly backend: WebGPUBackend,
    private readonly wanted: ReadonlySet<number>,
    private readonly start = backend.counters,
  ) {
    super();
  }
  override onEpochEnd(epoch: number): void {
    if (!this.wanted.has(epoch + 1)) return;
    const c = this.backend.counters;
    this.marks.push({
      epoch: epoch + 1,
      buffersCreated: c.buffersCreated - this.start.buffersCreated,
      bytesAllocated: c.bytesAllocated - this.start.bytesAllocated,
      buffersReleased: c.buffersReleased - this.start.buffersReleased,
    });
  }
}

export async function memoryOverEpochs(
  spec: MemorySpec,
  data: Dataset,
  kind: ModelKind,
): Promise<MemoryResult> {
  await setBackend('webgpu');
  const backend = currentBackend();
  if (!(backend instanceof WebGPUBackend)) {
    throw new Error(`bench memory: WebGPU is unavailable here, the backend is ${backend.description}`);
  }
  const model = build(kind);
  const marks = new CounterMarks(backend, new Set(spec.marks));
  const t0 = performance.now();
  const h = await model.fit(data.x, data.y, {
    batchSize: spec.batchSize,
    epochs: spec.epochs,
    callbacks: [marks],
  });
  if (h.error) throw new Error(`bench memory: fit stopped: ${h.error}`);
  return { description: backend.description, marks: marks.marks, ms: performance.now() - t0 };
}
