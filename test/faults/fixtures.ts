/**
 * What the fault tests share: their small seeded model, and WebGPU backends on wrapped devices
 * that are destroyed after each test (with any WebGPU backend a recovery made current), the CPU
 * current again.
 */
import { afterEach } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import type { WebGPUBackendOptions } from '../../src/backend/webgpu/options';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { currentBackend, useBackend } from '../../src/graph/engine';
import { Adam, Dense, Sequential } from '../../src/index';
import type { DeviceFaults } from './faulty-device';

/** Two Dense layers with Adam: 4 weights and 8 slots. */
export function faultModel(seed: number): Sequential {
  const model = new Sequential({
    seed,
    layers: [
      new Dense({ units: 6, activation: 'tanh', inputShape: [2] }),
      new Dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({ optimizer: new Adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy' });
  return model;
}

/** WebGPU backends a test file makes; `faultyGpus` destroys them after each test. */
export interface FaultyGpus {
  /** A WebGPU backend, made current, on a device wrapped by `faults` (none: a plain device). */
  gpuWith(faults?: DeviceFaults, options?: WebGPUBackendOptions): Promise<WebGPUBackend>;
  /** Adds the current backend (one a recovery made) to those destroyed after the test. */
  adoptCurrent(): void;
}

/** Registers the clean-up in the calling test file (an afterEach) and returns its backends' maker. */
export function faultyGpus(): FaultyGpus {
  const made: WebGPUBackend[] = [];
  const adoptCurrent = () => {
    const last = currentBackend();
    if (last instanceof WebGPUBackend && !made.includes(last)) made.push(last);
  };
  afterEach(() => {
    adoptCurrent();
    useBackend(new CpuBackend());
    for (const b of made.splice(0)) b.destroy();
  });
  return {
    adoptCurrent,
    async gpuWith(faults, options = {}) {
      const gpu = await WebGPUBackend.create({ ...options, ...(faults ? { wrapDevice: faults.wrap } : {}) });
      made.push(gpu);
      useBackend(gpu);
      return gpu;
    },
  };
}
