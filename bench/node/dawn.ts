// WebGPU in Node through Dawn's `webgpu` package, set up the way a browser page has it: the GPU
// object on `navigator.gpu`, and the GPUBufferUsage-style globals, before any library loads. Our
// library finds navigator.gpu itself; TensorFlow.js's webgpu backend and jax-js need it there.

import { create, globals } from 'webgpu';

/** What the adapter says about itself: recorded with every result so a table names its hardware. */
export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  features: string[];
  limits: Record<string, number>;
}

/**
 * Dawn's GPU object. It must stay referenced for as long as any device made from it is used, or
 * Dawn crashes at random (../shared/WEBGPU-TESTING.md), so it lives here for the process's life.
 */
let gpu: GPU | undefined;

/** Dawn flags from BENCH_DAWN_FLAGS (comma-separated), else Vulkan: SwiftShader here, the real driver on a GPU machine. */
function dawnFlags(): string[] {
  const flags = process.env.BENCH_DAWN_FLAGS;
  return flags ? flags.split(',') : ['backend=vulkan'];
}

export function installNavigatorGpu(): GPU {
  if (gpu) return gpu;
  Object.assign(globalThis, globals);
  gpu = create(dawnFlags()) as GPU;
  // Node 21+ defines a read-only `navigator`; define ours over it. Node 20 has none.
  Object.defineProperty(globalThis, 'navigator', {
    value: { gpu, userAgent: `Node.js ${process.version} (Dawn)`, hardwareConcurrency: 1 },
    configurable: true,
    writable: true,
  });
  return gpu;
}

export async function describeAdapter(): Promise<AdapterReport | null> {
  const adapter = await installNavigatorGpu().requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return null;
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const limits: Record<string, number> = {};
  const source = adapter.limits as unknown as Record<string, unknown>;
  for (const key in source) if (typeof source[key] === 'number') limits[key] = source[key] as number;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: Boolean(info.isFallbackAdapter),
    features: [...adapter.features].sort(),
    limits,
  };
}

/** "nvidia blackwell (H100 ...)" style one-line name. */
export function adapterName(a: AdapterReport): string {
  const parts = [a.vendor, a.architecture, a.device, a.description].filter((s) => s && s.length > 0);
  return `${parts.length > 0 ? [...new Set(parts)].join(' ') : 'unnamed adapter'}${a.isFallbackAdapter ? ' (fallback adapter)' : ''}`;
}
