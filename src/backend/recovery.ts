/**
 * What replaces a backend whose device is gone (graph/engine's `recoverBackend`, which fit calls
 * on DeviceLostError): wired in by src/backend/index.ts, recorded for getBackendInfo().recovered.
 */
import { DeviceAllocationError } from '../errors';
import type { Backend } from '../graph/backend';
import { useBackend } from '../graph/engine';
import { CpuBackend } from './cpu/cpu-backend';
import { WebGPUBackend } from './webgpu/webgpu-backend';

export interface Recovery {
  from: string;
  to: string;
  cause: string;
  /** The cause's class: `DeviceLostError`, `DeviceAllocationError`. */
  causeName: string;
  /** Why the replacement is not a new device of the same kind, when it is not (no WebGPU device came). */
  fallbackReason?: string;
  /** Date.now() when it happened. */
  at: number;
}

let last: Recovery | undefined;
/** Recoveries under way, by the backend they replace: two callers that saw one loss share one. */
const recovering = new Map<Backend, Promise<Backend>>();

/** How long a recovery waits for a new device before going on with the CPU backend. */
export const RECOVERY_DEVICE_TIMEOUT_MS = 10_000;

/**
 * Replaces a backend whose device is gone: a new WebGPU device, asked for with the options the
 * failed backend was made with (adapter preference, feature level, kernel variants) and waited
 * for at most its `timeoutMs` (default RECOVERY_DEVICE_TIMEOUT_MS), else the CPU backend. The
 * state to continue from is the caller's (fit keeps a host copy of the model's last-good state).
 */
export function recover(failed: Backend, cause: Error): Promise<Backend> {
  let under = recovering.get(failed);
  if (!under) {
    under = replace(failed, cause).finally(() => recovering.delete(failed));
    recovering.set(failed, under);
  }
  return under;
}

async function replace(failed: Backend, cause: Error): Promise<Backend> {
  let next: Backend | undefined;
  let reason: string | undefined;
  if (failed.name === 'webgpu' && cause instanceof DeviceAllocationError) {
    // A step too large for the device would fail on a new one alike: an allocation fault goes to the CPU.
    reason = `recovering from "${cause.message}": a new device would refuse the same allocation; running on the CPU backend`;
  } else if (failed.name === 'webgpu') {
    const options = failed instanceof WebGPUBackend ? failed.options : {};
    try {
      next = await WebGPUBackend.create({
        ...options,
        // As the lost device tuned when it went (setBackend may have changed it since it was made).
        ...(failed instanceof WebGPUBackend ? { tuning: failed.tuner.mode } : {}),
        timeoutMs: options.timeoutMs ?? RECOVERY_DEVICE_TIMEOUT_MS,
      });
    } catch (e) {
      reason = `recovering from "${cause.message}": ${(e as Error).message}; running on the CPU backend`;
      console.warn(reason);
    }
  }
  next ??= new CpuBackend();
  useBackend(next);
  last = {
    from: failed.description,
    to: next.description,
    cause: cause.message,
    causeName: cause.name,
    ...(reason ? { fallbackReason: reason } : {}),
    at: Date.now(),
  };
  return next;
}

/** The last recovery, if any happened in this process. */
export function lastRecovery(): Recovery | undefined {
  return last;
}
