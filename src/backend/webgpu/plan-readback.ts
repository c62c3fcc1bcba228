/**
 * Staging buffers for the values a plan reads back after a step, pooled by size: made with the
 * plan for the reads it expects (two each, so a step can be issued while the previous step's read
 * is still pending), more on demand, none destroyed until the plan is.
 */
import { type GpuHost, readMapped } from './host';

interface Staged {
  readonly staging: GPUBuffer;
  /** The index of the submit that copies into it (the step's). */
  readonly submit: number;
  readonly bytes: number;
  readonly length: number;
}

export class ReadbackPool {
  private readonly free = new Map<number, GPUBuffer[]>();

  constructor(
    private readonly host: GpuHost,
    /** Every buffer made goes here, for the plan to destroy. */
    private readonly made: GPUBuffer[],
  ) {}

  /** Two staging buffers of `bytes` made now. */
  reserve(bytes: number): void {
    const list = this.free.get(bytes) ?? [];
    list.push(this.create(bytes), this.create(bytes));
    this.free.set(bytes, list);
  }

  /** Copies `length` floats of `source` into a staging buffer in `encoder`. */
  stage(encoder: GPUCommandEncoder, source: GPUBuffer, length: number): Staged {
    const bytes = Math.max(length * 4, 4);
    const staging = this.free.get(bytes)?.pop() ?? this.create(bytes);
    encoder.copyBufferToBuffer(source, 0, staging, 0, bytes);
    return { staging, bytes, length, submit: this.host.submitted };
  }

  /** The staged values once the GPU has written them; the buffer goes back to the pool. */
  async resolve({ staging, bytes, length, submit }: Staged): Promise<Float32Array> {
    try {
      // The host reports a loss of the device, or a failure of this plan's buffers or first submit.
      const what = 'reading a step output';
      await this.host.mapForRead(staging, bytes, what, submit);
      return await readMapped(
        this.host,
        staging,
        bytes,
        what,
        (range) => new Float32Array(range.slice(0, length * 4)),
      );
    } finally {
      if (staging.mapState === 'mapped') staging.unmap();
      this.free.get(bytes)?.push(staging) ?? this.free.set(bytes, [staging]);
    }
  }

  clear(): void {
    this.free.clear();
  }

  private create(bytes: number): GPUBuffer {
    const buffer = this.host.buffers.create(
      bytes,
      GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      'plan readback',
    );
    this.made.push(buffer);
    return buffer;
  }
}
