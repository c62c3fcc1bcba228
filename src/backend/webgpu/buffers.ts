/**
 * GPU memory for tensors: storage objects whose buffers are destroyed once the tensor holding them
 * becomes unreachable (users never free tensors by hand), and a pool of mappable staging buffers
 * so readback does not allocate on every read.
 */

/** A tensor's storage on WebGPU: a buffer of f32 values, at least 4 bytes (WebGPU rejects 0). */
export class GpuStorage {
  constructor(
    readonly buffer: GPUBuffer,
    /** Elements held; the buffer may be larger (zero-element tensors still get 4 bytes). */
    readonly length: number,
  ) {}
}

export interface MemoryCounters {
  buffersCreated: number;
  bytesAllocated: number;
  /** Tensor buffers destroyed because their tensor became unreachable. */
  buffersReleased: number;
}

// Destroying a buffer that a submitted command still uses is valid: WebGPU frees it afterwards.
const unreachable = new FinalizationRegistry<{ buffer: GPUBuffer; counters: MemoryCounters }>(
  ({ buffer, counters }) => {
    buffer.destroy();
    counters.buffersReleased++;
  },
);

export class BufferAllocator {
  private readonly staging = new Map<number, GPUBuffer[]>();

  constructor(
    private readonly device: GPUDevice,
    private readonly counters: MemoryCounters,
  ) {}

  /** A storage buffer for `length` floats, released when the returned object is collected. */
  storage(length: number, label: string): GpuStorage {
    const buffer = this.create(
      Math.max(length * 4, 4),
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      label,
    );
    const storage = new GpuStorage(buffer, length);
    unreachable.register(storage, { buffer, counters: this.counters });
    return storage;
  }

  /** A buffer made and filled in one step (upload, uniforms). */
  filled(data: ArrayBuffer | ArrayBufferView, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const bytes = ArrayBuffer.isView(data) ? data.byteLength : data.byteLength;
    const buffer = this.device.createBuffer({
      label,
      size: Math.max(bytes, 4),
      usage,
      mappedAtCreation: true,
    });
    this.count(buffer.size);
    const src = ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
    new Uint8Array(buffer.getMappedRange()).set(src);
    buffer.unmap();
    return buffer;
  }

  create(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const buffer = this.device.createBuffer({ label, size, usage });
    this.count(size);
    return buffer;
  }

  /** A MAP_READ buffer of exactly `bytes`, from the pool when one is free. */
  acquireStaging(bytes: number): GPUBuffer {
    return (
      this.staging.get(bytes)?.pop() ??
      this.create(bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'readback')
    );
  }

  releaseStaging(buffer: GPUBuffer): void {
    const list = this.staging.get(buffer.size) ?? [];
    list.push(buffer);
    this.staging.set(buffer.size, list);
  }

  private count(bytes: number): void {
    this.counters.buffersCreated++;
    this.counters.bytesAllocated += bytes;
  }
}
