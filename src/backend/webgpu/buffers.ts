/**
 * GPU memory for tensors: storage objects whose buffers are destroyed once the tensor holding them
 * becomes unreachable (users never free tensors by hand), and a pool of mappable staging buffers
 * so readback does not allocate on every read.
 *
 * A failed allocation must not break the device, so every buffer is made inside out-of-memory and
 * validation error scopes. Scopes answer asynchronously: a tensor's storage carries the answer
 * (`settled`, then `failure`), which its readback awaits and its later use checks, so one failed
 * tensor says why when it is read and nothing else is affected.
 */
import { DeviceAllocationError, formatBytes, OutOfMemoryError } from '../../errors';

/** What error scopes caught, as the error to throw; null when nothing failed. */
export type Settled = Promise<DeviceAllocationError | null>;

const NOTHING_FAILED: Settled = Promise.resolve(null);

/** A tensor's storage on WebGPU: a buffer of f32 values, at least 4 bytes (WebGPU rejects 0). */
export class GpuStorage {
  /** Set once the device has said that this storage holds no values (its allocation or write failed). */
  failure: DeviceAllocationError | null = null;
  /** Settles with `failure` once every error scope that concerns this storage has answered. */
  settled: Settled = NOTHING_FAILED;

  constructor(
    readonly buffer: GPUBuffer,
    /** Elements held; the buffer may be larger (zero-element tensors still get 4 bytes). */
    readonly length: number,
  ) {}

  /** Adds answers this storage depends on (its allocation, the op that wrote it, that op's inputs). */
  track(more: readonly Settled[]): void {
    if (more.length === 0) return;
    this.settled = Promise.all([this.settled, ...more]).then((all) => {
      this.failure = all.find((e) => e !== null) ?? null;
      return this.failure;
    });
  }
}

/** What an error scope caught. */
export interface ScopeError {
  readonly filter: 'out-of-memory' | 'validation';
  readonly message: string;
}

/**
 * Runs `work` inside out-of-memory and validation error scopes (popped even when it throws) and
 * gives what it returned and the first error caught, out-of-memory first: a validation error
 * that follows one is its consequence (the invalid buffer used).
 */
export function withErrorScopes<T>(
  device: GPUDevice,
  work: () => T,
): { value: T; errors: Promise<ScopeError | null> } {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let value: T;
  let errors: Promise<ScopeError | null>;
  try {
    value = work();
  } finally {
    // Popping on a lost device resolves null (or rejects in older builds): the loss is reported elsewhere.
    const validation = device.popErrorScope().catch(() => null);
    const memory = device.popErrorScope().catch(() => null);
    errors = Promise.all([memory, validation]).then(([m, v]): ScopeError | null =>
      m
        ? { filter: 'out-of-memory', message: m.message }
        : v
          ? { filter: 'validation', message: v.message }
          : null,
    );
  }
  return { value, errors };
}

/** A scope's catch as the error to throw where `label` (of `bytes`) is used or read. */
export function scopeFailure(
  e: ScopeError,
  label: string,
  bytes: number,
  where: string,
): DeviceAllocationError {
  const what =
    e.filter === 'validation'
      ? `WebGPU rejected the work that makes ${label} on ${where}`
      : bytes > 0
        ? `WebGPU could not allocate ${label} (${formatBytes(bytes)}) on ${where}`
        : `WebGPU ran out of memory making ${label} on ${where}`;
  return new DeviceAllocationError(
    `${what}: ${firstLine(e.message)}; those values do not exist, and the backend goes on working`,
  );
}

/** The first line of a device's message (Dawn appends call stacks and source paths). */
export function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}

export interface MemoryCounters {
  buffersCreated: number;
  bytesAllocated: number;
  /** Tensor buffers destroyed because their tensor became unreachable. */
  buffersReleased: number;
  /**
   * Bytes of kernels' temporaries alive now (kernel-types.ts `Scratch`): a compiled plan's until
   * it is disposed, an eager op's until its submit. Made and released through the allocator.
   */
  scratchBytes: number;
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

/** A kernel temporary's usage; COPY_DST because the poisonOutputs test aid fills temporaries too. */
const scratchUsage = () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;

export interface AllocatorSetup {
  /** For messages: the adapter, as the backend describes it. */
  readonly where: string;
  /**
   * Told about a failed allocation that no tensor owns (a step plan's buffers, staging): the
   * backend reports it at its next readback.
   */
  readonly onUnownedFailure: (error: DeviceAllocationError) => void;
}

export class BufferAllocator {
  /** Idle staging buffers by size, each list oldest first; `lru` orders all of them by last use. */
  private readonly staging = new Map<number, GPUBuffer[]>();
  private readonly lru = new Set<GPUBuffer>();
  private idleStagingBytes = 0;
  /** Idle staging bytes kept; a buffer released past it destroys the least recently used. */
  stagingPoolBytes = DEFAULT_STAGING_POOL_BYTES;
  /** Scope answers not yet in, for `settle()`. */
  private readonly unanswered = new Set<Settled>();
  /** Buffers made since the count began: the backend checks the first submit after new ones. */
  made = 0;
  /** Allocations the device refused. */
  failures = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly counters: MemoryCounters,
    private readonly setup: AllocatorSetup = { where: 'WebGPU', onUnownedFailure: () => undefined },
  ) {}

  /** A storage buffer for `length` floats, released when the returned object is collected. */
  storage(length: number, label: string): GpuStorage {
    const { value, errors } = withErrorScopes(this.device, () => this.storageInScope(length, label));
    value.track([this.answer(errors, label, Math.max(length * 4, 4))]);
    return value;
  }

  /**
   * `storage` without scopes of its own, for callers that hold scopes around more work (an op's
   * allocation and submit) and track the answer on the storage themselves.
   */
  storageInScope(length: number, label: string): GpuStorage {
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const buffer = this.createInScope(Math.max(length * 4, 4), usage, label);
    const storage = new GpuStorage(buffer, length);
    unreachable.register(storage, { buffer, counters: this.counters });
    return storage;
  }

  /** A buffer made and filled in one step (uniforms), inside the caller's error scopes. */
  filled(data: ArrayBuffer | ArrayBufferView, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const bytes = Math.max(data.byteLength, 4);
    let buffer: GPUBuffer;
    try {
      buffer = this.device.createBuffer({ label, size: bytes, usage, mappedAtCreation: true });
    } catch (e) {
      // WebGPU throws a RangeError when a buffer mapped at creation cannot be allocated.
      this.failures++;
      const message = (e as Error).message;
      throw scopeFailure({ filter: 'out-of-memory', message }, label, bytes, this.setup.where);
    }
    this.count(buffer.size);
    const src = ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
    new Uint8Array(buffer.getMappedRange()).set(src);
    buffer.unmap();
    return buffer;
  }

  /**
   * A buffer no tensor owns (a plan's slots, its state ring, staging), in error scopes of its
   * own; a refusal reaches the backend through `onUnownedFailure`.
   */
  create(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const { value, errors } = withErrorScopes(this.device, () => this.createInScope(size, usage, label));
    this.answer(errors, label, size).then((e) => e && this.setup.onUnownedFailure(e));
    return value;
  }

  /**
   * Buffers for a kernel call's temporaries (kernel-types.ts `Scratch`), `bytes[k]` each, labelled
   * `label k`, counted in `scratchBytes` until `releaseScratch`. Every size is checked against the
   * device's limits before any is made (an OutOfMemoryError, nothing allocated). `scoped`: made in
   * the caller's error scopes (an eager op's, whose outputs a refusal spoils); otherwise in scopes
   * of their own, a refusal reported like any unowned buffer's (a plan's).
   */
  scratch(bytes: readonly number[], label: string, scoped: boolean): GPUBuffer[] {
    const sizes = bytes.map((b) => Math.ceil(Math.max(b, 4) / 4) * 4);
    sizes.forEach((size, k) => {
      this.checkLimit(size, scratchUsage(), `${label} ${k}`);
    });
    return sizes.map((size, k) => {
      const what = `${label} ${k}`;
      const usage = scratchUsage();
      const buffer = scoped ? this.createInScope(size, usage, what) : this.create(size, usage, what);
      this.counters.scratchBytes += size;
      return buffer;
    });
  }

  /** Destroys a temporary `scratch` made (work already submitted that uses it still completes). */
  releaseScratch(buffer: GPUBuffer): void {
    this.counters.scratchBytes -= buffer.size;
    buffer.destroy();
  }

  /** Waits for every scope answer asked for so far (a readback calls it before trusting its values). */
  async settle(): Promise<void> {
    if (this.unanswered.size > 0) await Promise.all(this.unanswered);
  }

  private createInScope(size: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    this.checkLimit(size, usage, label);
    const buffer = this.device.createBuffer({ label, size, usage });
    this.count(size);
    return buffer;
  }

  /**
   * Sizes over the device's limits are refused before asking: WebGPU would return an invalid
   * buffer and a validation error. A storage buffer is bound whole, so its binding limit counts.
   */
  private checkLimit(bytes: number, usage: GPUBufferUsageFlags, label: string): void {
    const { maxBufferSize, maxStorageBufferBindingSize } = this.device.limits;
    const storage = (usage & GPUBufferUsage.STORAGE) !== 0;
    const limit = storage ? Math.min(maxBufferSize, maxStorageBufferBindingSize) : maxBufferSize;
    if (bytes <= limit) return;
    const limitName =
      storage && maxStorageBufferBindingSize < maxBufferSize
        ? 'maxStorageBufferBindingSize'
        : 'maxBufferSize';
    throw new OutOfMemoryError(
      {
        layer: 'WebGPU',
        tensor: label,
        shape: null,
        bytes,
        limit,
        limitName: `${limitName} of ${this.setup.where}`,
      },
      'allocating a buffer',
      'nothing was allocated and the backend is unchanged; use smaller tensors or the CPU backend',
    );
  }

  /**
   * The scopes' answer as the error to throw, counted, and kept in `unanswered` until it comes
   * (so `settle` waits for it). Public for the backend's scopes around an op.
   */
  answer(errors: Promise<ScopeError | null>, label: string, bytes: number): Settled {
    const settled = errors.then((e) => {
      this.unanswered.delete(settled);
      if (!e) return null;
      if (e.filter === 'out-of-memory') this.failures++;
      return scopeFailure(e, label, bytes, this.setup.where);
    });
    this.unanswered.add(settled);
    return settled;
  }

  /**
   * A MAP_READ buffer of at least `bytes` (see stagingSize), from the pool when one is idle; made
   * inside the caller's error scopes.
   */
  acquireStaging(bytes: number): GPUBuffer {
    const size = Math.min(stagingSize(bytes), Math.max(bytes, this.device.limits.maxBufferSize));
    const pooled = this.staging.get(size)?.pop();
    if (pooled) {
      this.lru.delete(pooled);
      this.idleStagingBytes -= pooled.size;
      return pooled;
    }
    // In the caller's scopes (the read's), so a staging buffer that cannot be had fails that read.
    return this.createInScope(size, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'readback');
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
    this.made++;
    this.counters.buffersCreated++;
    this.counters.bytesAllocated += bytes;
  }
}
