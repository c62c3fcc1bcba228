/** Choosing the backend ops run on. */

import { InvalidArgumentError } from '../errors';
import type { Backend, BackendName } from '../graph/backend';
import { currentBackend, setBackendRecovery, setDefaultBackend, useBackend } from '../graph/engine';
import { type AutoOptions, autoInfo, type BackendChoice, disableAuto, enableAuto } from './auto';
import { CpuBackend } from './cpu/cpu-backend';
import { cpuThreadsReady } from './cpu/kernels/matmul-threaded';
import { lastRecovery, type Recovery, recover } from './recovery';
import type { TuningInfo, TuningMode } from './webgpu/tune/tuner';
import { WebGPUBackend } from './webgpu/webgpu-backend';

export type { AutoOptions, BackendChoice, BackendTiming } from './auto';
export { type MemoryLimits, memoryLimitsOf, setMemoryBudget } from './limits';
export { RECOVERY_DEVICE_TIMEOUT_MS, type Recovery } from './recovery';

export interface BackendInfo {
  name: BackendName;
  description: string;
  /**
   * 'lost' once the backend's device is gone (nothing runs on it; `lostReason` says why, and
   * setBackend('webgpu') acquires a new device). A failed allocation does not make it lost.
   */
  state: 'ready' | 'lost';
  lostReason?: string;
  /** Why the backend asked for is not the one in use, when it is not. */
  fallbackReason?: string;
  /** The last recovery: which backend failed, why, and what replaced it. */
  recovered?: Recovery;
  /** Set while setBackend('auto') is in force. */
  mode?: 'auto';
  /** What auto picked for the last model fit, and why (with the timings). */
  choice?: BackendChoice;
  /** WebGPU's kernel tuning: the mode, each shape class's kernel and its speed-up over the rule, the cost. */
  tuning?: TuningInfo;
}

export interface SetBackendOptions {
  /**
   * WebGPU's kernel autotuning: 'quick' (the default: about 1 s per model, beside the first steps,
   * choices kept per adapter), 'thorough' (about 10 s) or 'off' (the built-in rule). For 'webgpu'
   * and for the WebGPU backend 'auto' times; a recovery's new device tunes as the lost one did.
   */
  tuning?: TuningMode;
}

export type { TuningInfo, TuningMode };

let fallbackReason: string | undefined;

/**
 * Wires the CPU backend in as the graph's default (graph owns the Backend interface and imports no
 * concrete backend). Each entry calls it once: src/index.ts, the app, the training Worker, the tests.
 */
export function wireDefaultBackend(): void {
  setDefaultBackend(() => new CpuBackend());
  setBackendRecovery(async (failed, cause) => {
    const next = await recover(failed, cause);
    fallbackReason = lastRecovery()?.fallbackReason;
    return next;
  });
}

/**
 * Switches the backend that new tensors and ops use. 'webgpu' falls back to 'cpu' (with the reason
 * logged and kept in getBackendInfo) when WebGPU cannot be used. 'auto' picks per model: each fit
 * times a few of its steps on both and trains on the faster (see auto.ts; getBackendInfo().choice).
 */
export async function setBackend(
  name: BackendName | 'auto',
  options: AutoOptions & SetBackendOptions = {},
): Promise<BackendInfo> {
  if (name === 'auto') {
    fallbackReason = undefined;
    // The CPU candidate is timed, and trains, on its kernel workers.
    await cpuThreadsReady();
    await enableAuto(options);
    return getBackendInfo();
  }
  if (name === 'cpu' || name === 'webgpu') disableAuto();
  if (name === 'cpu') {
    fallbackReason = undefined;
    if (currentBackend().name !== 'cpu') useBackend(new CpuBackend());
    // The kernel workers start here, so the first step already has them (and the info says so).
    await cpuThreadsReady();
    return getBackendInfo();
  }
  if (name === 'webgpu') {
    const current = currentBackend();
    const tuning = options.tuning ?? 'quick';
    if (current instanceof WebGPUBackend && current.error === null) {
      await current.setTuning(tuning);
      return getBackendInfo();
    }
    try {
      useBackend(await WebGPUBackend.create({ tuning }));
      fallbackReason = undefined;
    } catch (e) {
      fallbackReason = `${(e as Error).message}; running on the CPU backend`;
      console.warn(`setBackend('webgpu'): ${fallbackReason}`);
      if (currentBackend().name !== 'cpu') useBackend(new CpuBackend());
    }
    return getBackendInfo();
  }
  throw new InvalidArgumentError(
    `setBackend: unknown backend ${typeof name === 'string' ? `'${name}'` : String(name)}, expected 'auto', 'cpu' or 'webgpu'`,
  );
}

/** The name of the backend in use. */
export function getBackend(): BackendName {
  return currentBackend().name;
}

export function getBackendInfo(): BackendInfo {
  const b: Backend = currentBackend();
  const lost = b instanceof WebGPUBackend ? b.error : null;
  return {
    name: b.name,
    description: b.description,
    state: lost ? 'lost' : 'ready',
    ...(lost ? { lostReason: lost.message } : {}),
    ...(fallbackReason ? { fallbackReason } : {}),
    ...(lastRecovery() ? { recovered: lastRecovery() } : {}),
    ...autoInfo(),
    ...(b instanceof WebGPUBackend ? { tuning: b.tuner.info() } : {}),
  };
}
