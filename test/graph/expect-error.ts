/** Shared by the error tests: asserts the error's class and that its message names what matters. */
import { expect } from 'vitest';
import type { WebGPUTrainerError } from '../../src/errors';
import { tensor } from '../../src/graph/engine';
import { ones } from '../../src/graph/ops';
import type { Tensor } from '../../src/graph/tensor';

type ErrorClass = new (message: string) => WebGPUTrainerError;

export function expectError(f: () => unknown, type: ErrorClass, ...fragments: string[]): void {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${type.name}, caught ${error}`).toBeInstanceOf(type);
  const message = (error as Error).message;
  for (const fragment of fragments) expect(message).toContain(fragment);
}

export const m23 = (): Tensor => tensor([1, 2, 3, 4, 5, 6], [2, 3]);
export const image = (shape: number[]): Tensor => ones(shape);
