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

/** Idle staging buffers kept for reuse, at most this many bytes in all (least recently used go first). */
export const DEFAULT_STAGING_POOL_BYTES = 64 * 1024 * 1024;

/**
 * The staging size for a read of `bytes`: rounded up to one of four sizes per power of two (at
 * most 25% more), so reads of 1..10,000 floats share about 50 buffers instead of 10,000.
 */
export function stagingSize(bytes: number): number {
  if (bytes <= 256) return 256;
  const step = 2 ** (Math.floor(Math.log2(bytes - 1)) - 2);
  return Math.ceil(bytes / step) * step;
}

export class BufferAllocator {
  /** Idle staging buffers by size, each list oldest first; `lru` orders all of them by last use. */
  private readonly staging = new Map<number, GPUBuffer[]>();
  private readonly lru = new Set<GPUBuffer>();
  private idleStagingBytes = 0;
  /** Idle staging bytes kept; a buffer released past it destroys the least recently used. */
  stagingPoolBytes = DEFAULT_STAGING_POOL_BYTES;

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

  /** A MAP_READ buffer of at least `bytes` (see stagingSize), from the pool when one is idle. */
  acquireStaging(bytes: number): GPUBuffer {
    const size = Math.min(stagingSize(bytes), Math.max(bytes, this.device.limits.maxBufferSize));
    const pooled = this.staging.get(size)?.pop();
    if (pooled) {
      this.lru.delete(pooled);
      this.idleStagingBytes -= pooled.size;
      return pooled;
    }
    return this.create(size, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'readback');
  }

  /** Returns a staging buffer to the pool, destroying the least recently used past the pool's bytes. */
  releaseStaging(buffer: GPUBuffer): void {
    if (buffer.size > this.stagingPoolBytes) {
      buffer.destroy();
      return;
    }
    const list = this.staging.get(buffer.size) ?? [];
    list.push(buffer);
    this.staging.set(buffer.size, list);
    this.lru.add(buffer);
    this.idleStagingBytes += buffer.size;
    for (const oldest of this.lru) {
      if (this.idleStagingBytes <= this.stagingPoolBytes) break;
      this.lru.delete(oldest);
      this.idleStagingBytes -= oldest.size;
      const same = this.staging.get(oldest.size)!;
      same.splice(same.indexOf(oldest), 1);
      if (same.length === 0) this.staging.delete(oldest.size);
      oldest.destroy();
    }
  }

  /** Idle staging buffers now pooled, and their bytes. */
  stagingStats(): { buffers: number; bytes: number } {
    return { buffers: this.lru.size, bytes: this.idleStagingBytes };
  }

  private count(bytes: number): void {
    this.counters.buffersCreated++;
    this.counters.bytesAllocated += bytes;
  }
}
