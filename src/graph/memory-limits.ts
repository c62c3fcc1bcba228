/**
 * How much memory the backend in use can give one tensor and in all, for the model layer to check
 * sizes against before it allocates. Graph owns the question; the backends' entry answers it
 * (src/backend/limits.ts registers the answer), so nn asks without importing a backend.
 */
import type { Backend } from './backend';

export interface MemoryLimits {
  /** Bytes one tensor may hold. */
  maxTensorBytes: number;
  /** The limit's name as messages give it. */
  maxTensorName: string;
  /** Bytes the model may use in all, or null where the backend cannot tell. */
  budgetBytes: number | null;
  budgetName: string;
}

let provider: ((backend: Backend) => MemoryLimits | null) | null = null;

/** @internal set once by the backends' entry */
export function setMemoryLimitsProvider(fn: (backend: Backend) => MemoryLimits | null): void {
  provider = fn;
}

/** The limits of `backend`, or null when no backend entry has registered them. */
export function memoryLimits(backend: Backend): MemoryLimits | null {
  return provider ? provider(backend) : null;
}
