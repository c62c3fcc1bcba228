/**
 * Kernel modules on the shared runtime: each loaded once, in its relaxed-SIMD build where the
 * engine validates it (and relaxed SIMD is not switched off), its plain-SIMD build otherwise, and
 * not at all where WebAssembly SIMD is missing (the TypeScript kernels run there). The switches
 * are for tests, which compare each build with the TypeScript twin, and for A/B benchmarks.
 */
import { hasRelaxedSimd } from './features';
import { kernelRuntime, type WasmRuntime } from './runtime';

export interface KernelModule<Exports> {
  readonly runtime: WasmRuntime;
  readonly exports: Exports;
  /** Whether this is the relaxed-SIMD build. */
  readonly relaxed: boolean;
}

let kernelsOn = true;
let relaxedOn = true;
const loaded = new Map<string, KernelModule<unknown>>();

/**
 * Switches every WebAssembly kernel off (the TypeScript twins run) or back on. Compiled steps
 * choose their kernels when compiled, so this applies to steps compiled after it.
 */
export function useWasmKernels(on: boolean): void {
  kernelsOn = on;
}

/** Switches relaxed SIMD off (every module's plain build loads) or back on where the engine has it. */
export function useRelaxedSimd(on: boolean): void {
  relaxedOn = on;
}

export function wasmKernelsEnabled(): boolean {
  return kernelsOn && kernelRuntime() !== null;
}

/** Whether modules load in their relaxed-SIMD builds now. */
export function relaxedSimdInUse(): boolean {
  return relaxedOn && hasRelaxedSimd();
}

/**
 * Module `name` on the runtime, or null when WebAssembly kernels are off or missing here.
 * `relaxed` is the same module assembled with `?relaxed` (kernels without multiply-adds pass none).
 */
export function kernelModule<Exports>(
  name: string,
  plain: Uint8Array,
  relaxed?: Uint8Array,
): KernelModule<Exports> | null {
  const runtime = kernelsOn ? kernelRuntime() : null;
  if (!runtime) return null;
  const useRelaxed = relaxed !== undefined && relaxedSimdInUse();
  const key = `${name}${useRelaxed ? '?relaxed' : ''}`;
  let module = loaded.get(key) as KernelModule<Exports> | undefined;
  if (!module) {
    const exports = runtime.instantiate<Exports>(useRelaxed ? relaxed : plain, name);
    module = { runtime, exports, relaxed: useRelaxed };
    loaded.set(key, module);
  }
  return module;
}
