/** What this browser offers for WebGPU, for the badge and the backend choice. */
export interface GpuProbe {
  available: boolean;
  /** Adapter description (vendor, architecture, device) when available. */
  adapter?: string;
  isFallbackAdapter?: boolean;
  /** Why WebGPU cannot be used, when it cannot. */
  reason?: string;
}

export async function probeWebGPU(): Promise<GpuProbe> {
  if (typeof navigator === 'undefined' || !('gpu' in navigator) || !navigator.gpu) {
    return {
      available: false,
      reason: window.isSecureContext
        ? 'this browser does not expose WebGPU (navigator.gpu is missing)'
        : 'WebGPU needs a secure context (https or localhost)',
    };
  }
  try {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter)
      return { available: false, reason: 'no WebGPU adapter was found (requestAdapter returned null)' };
    const info = adapter.info;
    const parts = [info.vendor, info.architecture, info.device, info.description].filter(
      (p) => p && p.length > 0,
    );
    const isFallbackAdapter = Boolean(
      (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter,
    );
    return { available: true, adapter: parts.join(' ') || 'unnamed adapter', isFallbackAdapter };
  } catch (error) {
    return { available: false, reason: `requestAdapter failed: ${(error as Error).message}` };
  }
}
