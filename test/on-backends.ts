/**
 * Runs hand-computed cases on the CPU backend and on WebGPU (Dawn in Node; SwiftShader where there
 * is no GPU): a case states the values an op must give, so a bug shared by both backends' code
 * (geometry, parameter packing, an epilogue) still fails it. One device per test file.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import { CpuBackend } from '../src/backend/cpu/cpu-backend';
import { WebGPUBackend } from '../src/backend/webgpu/webgpu-backend';
import type { Backend } from '../src/graph/backend';
import { useBackend } from '../src/graph/engine';
import type { Tensor } from '../src/graph/tensor';

export type BackendName = 'cpu' | 'webgpu';

let gpu: Promise<WebGPUBackend> | undefined;

/** The file's WebGPU backend, made on first use; outputs are poisoned with NaN, so an unwritten element fails. */
function sharedGpu(): Promise<WebGPUBackend> {
  gpu ??= WebGPUBackend.create({ poisonOutputs: true });
  return gpu;
}

afterAll(async () => {
  if (gpu) (await gpu).destroy();
});

/** `body`'s tests run twice: with the CPU backend current, then with WebGPU. */
export function describeOnBackends(title: string, body: (backend: () => BackendName) => void): void {
  describe.each(['cpu', 'webgpu'] as const)(`${title} (%s)`, (name) => {
    let backend: Backend;
    let previous: Backend | undefined;
    beforeAll(async () => {
      backend = name === 'cpu' ? new CpuBackend('float32') : await sharedGpu();
    });
    beforeEach(() => {
      previous = useBackend(backend);
    });
    afterEach(() => {
      if (previous) useBackend(previous);
    });
    body(() => name);
  });
}

/** Shape and values (to `digits` decimals) of a tensor on any backend. */
export async function expectValues(t: Tensor, shape: number[], values: number[], digits = 5): Promise<void> {
  expect(t.shape).toEqual(shape);
  const got = Array.from(await t.data());
  expect(got.length).toBe(values.length);
  got.forEach((v, i) => {
    expect(v, `element ${i} of ${got}`).toBeCloseTo(values[i], digits);
  });
}
