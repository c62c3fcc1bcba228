/**
 * How much memory a backend can give one tensor and in all, known before anything is allocated:
 * WebGPU's adapter limits (a tensor is one buffer, bound whole as storage), and on the CPU the
 * largest typed array V8 makes and a budget for the whole model (a browser tab that asks for more
 * is killed, not refused).
 */
import { InvalidArgumentError } from '../errors';
import type { Backend } from '../graph/backend';
import { type MemoryLimits, setMemoryLimitsProvider } from '../graph/memory-limits';
import { WebGPUBackend } from './webgpu/webgpu-backend';

export type { MemoryLimits } from '../graph/memory-limits';

/** The largest Float32Array V8 makes: 2^32 elements. */
const CPU_MAX_TENSOR_BYTES = 2 ** 32 * 4;
const DEFAULT_CPU_BUDGET = 2 * 1024 ** 3;

let cpuBudget = DEFAULT_CPU_BUDGET;
let gpuBudget: number | null = null;

/**
 * The memory budget models are checked against before they are built or trained: bytes for the
 * CPU backend (default 4 GiB) and for WebGPU (default none: only the adapter's per-buffer limits,
 * since WebGPU does not say how much memory a device has). null removes a budget.
 */
export function setMemoryBudget(budget: { cpu?: number | null; webgpu?: number | null }): void {
  for (const [key, v] of Object.entries(budget)) {
    if (v !== null && v !== undefined && !(Number.isFinite(v) && v > 0)) {
      throw new InvalidArgumentError(
        `setMemoryBudget(${key}): expected a positive number of bytes or null, received ${v}`,
      );
    }
  }
  if (budget.cpu !== undefined) cpuBudget = budget.cpu ?? Number.POSITIVE_INFINITY;
  if (budget.webgpu !== undefined) gpuBudget = budget.webgpu;
}

export function memoryLimitsOf(backend: Backend): MemoryLimits {
  if (backend instanceof WebGPUBackend) {
    const { maxBufferSize, maxStorageBufferBindingSize } = backend.device.limits;
    const binding = maxStorageBufferBindingSize <= maxBufferSize;
    return {
      maxTensorBytes: Math.min(maxBufferSize, maxStorageBufferBindingSize),
      maxTensorName: `${binding ? 'maxStorageBufferBindingSize' : 'maxBufferSize'} of ${backend.description}`,
      budgetBytes: gpuBudget,
      budgetName: 'WebGPU memory budget (setMemoryBudget)',
    };
  }
  return {
    maxTensorBytes: CPU_MAX_TENSOR_BYTES,
    maxTensorName: 'largest typed array (2^32 float32 elements)',
    budgetBytes: Number.isFinite(cpuBudget) ? cpuBudget : null,
    budgetName: 'CPU memory budget (setMemoryBudget)',
  };
}

setMemoryLimitsProvider(memoryLimitsOf);
