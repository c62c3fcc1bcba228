/**
 * Acquiring a GPUDevice: navigator.gpu in browsers and Workers, Dawn's `webgpu` package in Node.
 * Every failure comes back as a reason string, so setBackend can fall back to the CPU and say why.
 */
import { BackendError } from '../../errors';

export interface GpuContext {
  readonly device: GPUDevice;
  readonly adapterInfo: string;
  /**
   * SwiftShader, llvmpipe and other CPU emulations, where register blocking beats shared-memory
   * tiles. Also true when the adapter names no vendor: Chromium's llvmpipe (OpenGL ES,
   * compatibility mode) reports nothing about itself, while real GPUs name their vendor.
   */
  readonly isFallbackAdapter: boolean;
  readonly featureLevel: 'core' | 'compatibility';
  /**
   * Every identifying string the adapter gives (vendor, architecture, device, description, and a
   * driver where the implementation exposes one): the tuning cache's key.
   */
  readonly adapterIdentity: Readonly<Record<string, string>>;
  /** The adapter's limits, all of which the device was asked for. */
  readonly adapterLimits: Readonly<Record<string, number>>;
}

export type DeviceResult = { ok: true; context: GpuContext } | { ok: false; reason: string };

export interface DeviceOptions {
  /** Ask for a compatibility-mode adapter (OpenGL ES, older GPUs). Default: core. */
  featureLevel?: 'core' | 'compatibility';
  powerPreference?: GPUPowerPreference;
  /**
   * How long requestAdapter and requestDevice may take together before the attempt counts as
   * failed (a driver that is resetting can leave them pending for good). Default 20 s.
   */
  timeoutMs?: number;
  /** The GPU to ask instead of navigator.gpu or Dawn's (tests: one whose adapter never comes). */
  gpu?: GPU;
  /**
   * Test aid: replaces the device the backend uses, once it is made; test/faults wraps it to
   * lose the device or fail an allocation or a submit at a chosen call.
   */
  wrapDevice?: (device: GPUDevice) => GPUDevice;
}

export const DEFAULT_DEVICE_TIMEOUT_MS = 20_000;

/**
 * Dawn's GPU object for Node. It must stay referenced while any device made from it is in use:
 * if it is collected, Dawn crashes at random (see ../shared/WEBGPU-TESTING.md), so it lives here
 * for the life of the process.
 */
let nodeGpu: GPU | undefined;

async function findGpu(): Promise<GPU | string> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (!isNode)
    return 'navigator.gpu is missing: this browser does not expose WebGPU (or the page is not a secure context)';
  if (nodeGpu) return nodeGpu;
  // A variable specifier keeps bundlers from resolving (or failing on) a Node-only package.
  const specifier = 'webgpu';
  try {
    const dawn = (await import(/* @vite-ignore */ specifier)) as {
      create(options: string[]): GPU;
      globals: object;
    };
    Object.assign(globalThis, dawn.globals);
    nodeGpu = dawn.create(['backend=vulkan']);
    return nodeGpu;
  } catch (e) {
    return `Node has no navigator.gpu and the 'webgpu' package (Dawn) could not be loaded: ${(e as Error).message}`;
  }
}

function describeAdapter(adapter: GPUAdapter): string {
  const info = adapter.info;
  const parts = [info.vendor, info.architecture, info.device, info.description].filter(
    (s) => s && s.length > 0,
  );
  return parts.length > 0 ? [...new Set(parts)].join(' ') : 'unnamed adapter';
}

function adapterIdentity(adapter: GPUAdapter): Record<string, string> {
  const info = adapter.info as unknown as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const key of ['vendor', 'architecture', 'device', 'description', 'driver', 'driverDescription']) {
    const v = info[key];
    if (typeof v === 'string' && v.length > 0) out[key] = v;
  }
  return out;
}

/** Every numeric limit of the adapter, so the device gets what the hardware offers, not the defaults. */
function adapterLimits(adapter: GPUAdapter): Record<string, number> {
  const limits: Record<string, number> = {};
  const source = adapter.limits as unknown as Record<string, unknown>;
  for (const key in source) {
    const v = source[key];
    if (typeof v === 'number') limits[key] = v;
  }
  return limits;
}

/**
 * Features we use where present; none is required. The cast: some versions of @webgpu/types
 * leave 'subgroups' out of GPUFeatureName, though adapters report it by that name.
 */
const OPTIONAL_FEATURES = ['timestamp-query', 'subgroups', 'shader-f16'] as GPUFeatureName[];

/**
 * A GPUDevice for the options, or the reason there is none. Never waits longer than
 * `options.timeoutMs`: a device that arrives after that is destroyed when it comes.
 */
export async function acquireDevice(options: DeviceOptions = {}): Promise<DeviceResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DEVICE_TIMEOUT_MS;
  if (!(timeoutMs > 0))
    return {
      ok: false,
      reason: `timeoutMs must be a positive number of milliseconds, received ${timeoutMs}`,
    };
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const attempt = acquire(options).catch(
    (e: unknown): DeviceResult => ({
      ok: false,
      reason: `acquiring a device failed: ${(e as Error).message}`,
    }),
  );
  const timeout = new Promise<DeviceResult>((resolve) => {
    timer = setTimeout(() => {
      timedOut = true;
      resolve({ ok: false, reason: `no WebGPU device came within ${timeoutMs} ms` });
    }, timeoutMs);
  });
  attempt.then((late) => {
    if (timedOut && late.ok) late.context.device.destroy();
  });
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function acquire(options: DeviceOptions): Promise<DeviceResult> {
  const gpu = options.gpu ?? (await findGpu());
  if (typeof gpu === 'string') return { ok: false, reason: gpu };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({
      ...(options.featureLevel ? { featureLevel: options.featureLevel } : {}),
      ...(options.powerPreference ? { powerPreference: options.powerPreference } : {}),
    });
  } catch (e) {
    return { ok: false, reason: `requestAdapter failed: ${(e as Error).message}` };
  }
  if (!adapter) {
    return {
      ok: false,
      reason:
        'requestAdapter returned no adapter (no usable GPU; in Chromium without a GPU start with ' +
        '--enable-unsafe-webgpu; in Node set VK_ICD_FILENAMES to a Vulkan driver such as SwiftShader)',
    };
  }
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  const limits = adapterLimits(adapter);
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures, requiredLimits: limits });
  } catch (e) {
    return {
      ok: false,
      reason: `requestDevice failed on ${describeAdapter(adapter)}: ${(e as Error).message}`,
    };
  }
  const featureLevel = adapter.features.has('core-features-and-limits' as GPUFeatureName)
    ? 'core'
    : 'compatibility';
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const isFallbackAdapter =
    info.isFallbackAdapter === true ||
    (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
    /swiftshader|llvmpipe|lavapipe/i.test(describeAdapter(adapter)) ||
    !adapter.info.vendor;
  return {
    ok: true,
    context: {
      device: options.wrapDevice ? options.wrapDevice(device) : device,
      adapterInfo: describeAdapter(adapter),
      adapterIdentity: adapterIdentity(adapter),
      isFallbackAdapter,
      featureLevel,
      adapterLimits: limits,
    },
  };
}

/** Like acquireDevice, but throws a BackendError carrying the reason. */
export async function requireDevice(options: DeviceOptions = {}): Promise<GpuContext> {
  const result = await acquireDevice(options);
  if (!result.ok) throw new BackendError(`WebGPU is unavailable: ${result.reason}`);
  return result.context;
}
