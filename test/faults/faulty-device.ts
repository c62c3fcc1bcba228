/**
 * Fault injection for WebGPU: wraps a GPUDevice (and its queue) so that a chosen call loses the
 * device, fails an allocation or fails a submit, the way a driver reset or Dawn would.
 *
 * - lose-device: the real device is destroyed just before the call, so `device.lost` resolves
 *   (at once, or `lostAfterMs` later) and every later call is refused, as on a reset.
 * - fail-allocation: createBuffer returns an invalid buffer and an out-of-memory error goes to
 *   the innermost 'out-of-memory' error scope (or to 'uncapturederror' listeners when none is
 *   open), as Dawn does when vkAllocateMemory fails. A buffer mapped at creation throws a
 *   RangeError instead, as the WebGPU spec says.
 * - fail-submit: the submit carries a command buffer that uses a destroyed buffer, so Dawn
 *   itself rejects the whole submit with a validation error and runs none of it.
 *
 * Calls are counted from when a fault is armed: queue submits, createBuffer calls, steps (the
 * submit after a command encoder labelled 'step', which every compiled step's plan makes) or
 * readbacks (likewise after an encoder labelled 'readback': one per batched read, read-many.ts)
 * or tuning runs (after an encoder labelled 'tuning', which the autotuner's timer makes).
 * A device loss may come `after` the submit it counts instead: once the submitting code has gone
 * on to map its staging buffer, so the loss finds that map in flight; or `mapped`: once the next
 * map of a staging buffer resolves, before its values are read, as when other work on the device
 * (the tuner's run) loses it between a step's map and its read.
 * Inject it with `WebGPUBackend.create({ wrapDevice: faults.wrap })`. No test framework here, so
 * the page can use it too.
 */

export type FaultKind = 'lose-device' | 'fail-allocation' | 'fail-submit';
export type FaultCounter = 'submit' | 'createBuffer' | 'step' | 'readback' | 'tuning';

/** The counters that count command encoders by label: the submit after one fires. */
const LABELLED: ReadonlySet<FaultCounter> = new Set(['step', 'readback', 'tuning']);

export interface Fault {
  kind: FaultKind;
  /** Fires on the `at`-th counted call after arming: 1 is the next one. */
  at: number;
  /** What is counted: default createBuffer for fail-allocation, submit otherwise. */
  on?: FaultCounter;
  /** lose-device on a submit: destroy the device just after the submit (in a microtask), not before it. */
  after?: boolean;
  /**
   * lose-device on a submit: destroy the device once the next map of a readable buffer (made
   * through this wrapper) resolves, before the code awaiting it reads the range, not before the submit.
   */
  mapped?: boolean;
  /**
   * lose-device: the wrapped device's `lost` promise settles this long after the loss, while
   * pending maps reject at once, as in a browser whose GPU process is busy (compiling a
   * pipeline, say) when the device goes. Default 0.
   */
  lostAfterMs?: number;
}

interface Armed extends Required<Omit<Fault, 'after' | 'mapped' | 'lostAfterMs'>> {
  after: boolean;
  mapped: boolean;
  seen: number;
  /** A 'step' count reached: the next submit fires. */
  due: boolean;
}

interface MirrorScope {
  readonly filter: GPUErrorFilter;
  injected: GPUError | null;
}

type Listener = (event: { error: GPUError; type: string }) => void;

function outOfMemory(message: string): GPUError {
  const Ctor = (globalThis as { GPUOutOfMemoryError?: new (m: string) => GPUError }).GPUOutOfMemoryError;
  try {
    if (Ctor) return new Ctor(message);
  } catch {
    // Dawn's Node classes are not constructible from script: a plain object carries the message.
  }
  return { message } as GPUError;
}

/** Reads a property of a native object, binding methods to it (Dawn checks `this`). */
function forward<T extends object>(target: T, key: PropertyKey): unknown {
  const value = Reflect.get(target, key, target);
  return typeof value === 'function' ? value.bind(target) : value;
}

export class DeviceFaults {
  /** Calls seen through wrapped devices, whether or not a fault is armed. */
  readonly counts: Record<FaultCounter, number> = {
    submit: 0,
    createBuffer: 0,
    step: 0,
    readback: 0,
    tuning: 0,
  };
  /** One line per fault that fired, saying what and where. */
  readonly fired: string[] = [];
  /** Every real device wrapped (a recovery wraps the new one too). */
  readonly devices: GPUDevice[] = [];
  private armed: Armed | null = null;
  /** How late the next loss's `lost` settles (set when a lose-device fault fires). */
  private lostAfterMs = 0;
  /** A device a fired `mapped` loss destroys when its next map resolves. */
  private loseAtMap: GPUDevice | null = null;

  /** Arms one fault (replacing any armed one): it fires once, then disarms. */
  arm(fault: Fault): this {
    if (!(Number.isInteger(fault.at) && fault.at >= 1))
      throw new RangeError(`DeviceFaults.arm: at must be an integer >= 1, received ${fault.at}`);
    const on = fault.on ?? (fault.kind === 'fail-allocation' ? 'createBuffer' : 'submit');
    this.armed = {
      kind: fault.kind,
      at: fault.at,
      on,
      after: fault.after ?? false,
      mapped: fault.mapped ?? false,
      seen: 0,
      due: false,
    };
    this.lostAfterMs = fault.lostAfterMs ?? 0;
    return this;
  }

  disarm(): void {
    this.armed = null;
  }

  get isArmed(): boolean {
    return this.armed !== null;
  }

  /** The wrapper to give `WebGPUBackend.create({ wrapDevice })`. */
  readonly wrap = (device: GPUDevice): GPUDevice => {
    this.devices.push(device);
    const scopes: MirrorScope[] = [];
    const listeners: Listener[] = [];
    const queue = new Proxy(device.queue, {
      get: (target, key) =>
        key === 'submit'
          ? (commands: Iterable<GPUCommandBuffer>) => this.submit(device, target, [...commands])
          : forward(target, key),
    });
    // Read once, when the real loss settles: a late fault delays what the backend hears.
    const lost = device.lost.then(async (info) => {
      if (this.lostAfterMs > 0) await new Promise((resolve) => setTimeout(resolve, this.lostAfterMs));
      return info;
    });
    const handlers: Record<PropertyKey, unknown> = {
      queue,
      lost,
      createBuffer: (descriptor: GPUBufferDescriptor) =>
        this.createBuffer(device, descriptor, scopes, listeners),
      createCommandEncoder: (descriptor?: GPUCommandEncoderDescriptor) => {
        const label = descriptor?.label as FaultCounter | undefined;
        if (label && LABELLED.has(label)) this.count(label);
        return device.createCommandEncoder(descriptor);
      },
      pushErrorScope: (filter: GPUErrorFilter) => {
        scopes.push({ filter, injected: null });
        device.pushErrorScope(filter);
      },
      popErrorScope: () => {
        const mirror = scopes.pop();
        return device.popErrorScope().then((real) => real ?? mirror?.injected ?? null);
      },
      addEventListener: (type: string, listener: Listener, options?: AddEventListenerOptions) => {
        if (type === 'uncapturederror') listeners.push(listener);
        device.addEventListener(type, listener as unknown as EventListener, options);
      },
    };
    return new Proxy(device, {
      get: (target, key) => (key in handlers ? handlers[key] : forward(target, key)),
    });
  };

  /** Counts a call; true when the armed fault fires on it. */
  private count(counter: FaultCounter): boolean {
    this.counts[counter]++;
    const armed = this.armed;
    if (!armed) return false;
    if (counter === armed.on && ++armed.seen === armed.at) {
      if (!LABELLED.has(counter)) return this.fire();
      armed.due = true;
    }
    return counter === 'submit' && armed.due && this.fire();
  }

  private fire(): true {
    const armed = this.armed!;
    this.armed = null;
    this.fired.push(
      `${armed.kind} at ${armed.on} ${armed.at} (submits ${this.counts.submit}, buffers ${this.counts.createBuffer})`,
    );
    return true;
  }

  private submit(device: GPUDevice, queue: GPUQueue, commands: GPUCommandBuffer[]): void {
    const kind = this.armed?.kind;
    const after = this.armed?.after ?? false;
    const mapped = this.armed?.mapped ?? false;
    const fires = this.count('submit');
    if (fires && kind === 'lose-device' && mapped) this.loseAtMap = device;
    else if (fires && kind === 'lose-device' && !after) device.destroy();
    queue.submit(fires && kind === 'fail-submit' ? [this.poison(device), ...commands] : commands);
    if (fires && kind === 'lose-device' && after) queueMicrotask(() => device.destroy());
  }

  /**
   * A readable buffer whose maps, once resolved, lose the device when a `mapped` loss is due on it.
   * Its mapAsync is replaced on the buffer itself (Dawn refuses proxies in native calls).
   */
  private watchMaps(device: GPUDevice, buffer: GPUBuffer): GPUBuffer {
    if (!(buffer.usage & GPUBufferUsage.MAP_READ)) return buffer;
    const map = buffer.mapAsync.bind(buffer);
    Object.defineProperty(buffer, 'mapAsync', {
      value: (mode: GPUMapModeFlags, offset?: number, size?: number) =>
        map(mode, offset, size).then(() => {
          if (this.loseAtMap !== device) return;
          this.loseAtMap = null;
          device.destroy();
        }),
    });
    return buffer;
  }

  /** A command buffer Dawn refuses at submit: it copies from a destroyed buffer. */
  private poison(device: GPUDevice): GPUCommandBuffer {
    const dead = device.createBuffer({ label: 'fault: destroyed', size: 4, usage: GPUBufferUsage.COPY_SRC });
    const sink = device.createBuffer({ label: 'fault: sink', size: 4, usage: GPUBufferUsage.COPY_DST });
    dead.destroy();
    const encoder = device.createCommandEncoder({ label: 'fault: failed submit' });
    encoder.copyBufferToBuffer(dead, 0, sink, 0, 4);
    return encoder.finish();
  }

  private createBuffer(
    device: GPUDevice,
    descriptor: GPUBufferDescriptor,
    scopes: MirrorScope[],
    listeners: Listener[],
  ): GPUBuffer {
    const kind = this.armed?.kind;
    if (!this.count('createBuffer')) return this.watchMaps(device, device.createBuffer(descriptor));
    if (kind === 'lose-device') {
      device.destroy();
      return device.createBuffer(descriptor);
    }
    if (kind !== 'fail-allocation') return device.createBuffer(descriptor);
    const message = `fault injected: out of memory allocating ${descriptor.size} bytes for "${descriptor.label ?? ''}"`;
    if (descriptor.mappedAtCreation) throw new RangeError(message);
    // An invalid buffer of the same size and label: MAP_READ with STORAGE is a usage WebGPU refuses.
    device.pushErrorScope('validation');
    const invalid = device.createBuffer({
      ...descriptor,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE,
    });
    device.popErrorScope().catch(() => null);
    const scope = [...scopes].reverse().find((s) => s.filter === 'out-of-memory');
    if (scope) scope.injected ??= outOfMemory(message);
    else {
      const event = { error: outOfMemory(message), type: 'uncapturederror' };
      setTimeout(() => {
        for (const listener of listeners) listener(event);
      }, 0);
    }
    return invalid;
  }
}
