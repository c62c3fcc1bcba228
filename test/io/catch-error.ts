/** Error assertions that return the error, so tests can read its fields (problems, tensor). */
import { expect } from 'vitest';

// biome-ignore lint/suspicious/noExplicitAny: any constructor signature; only instanceof is used
type ErrorClass<E> = abstract new (...args: any[]) => E;

function check<E extends Error>(error: unknown, type: ErrorClass<E>, fragments: string[]): E {
  expect(error, `expected ${type.name}, caught ${String(error)}`).toBeInstanceOf(type);
  for (const fragment of fragments) expect((error as Error).message).toContain(fragment);
  return error as E;
}

/** Runs f, expecting it to throw `type` with every fragment in the message. */
export function expectError<E extends Error>(
  f: () => unknown,
  type: ErrorClass<E>,
  ...fragments: string[]
): E {
  try {
    f();
  } catch (e) {
    return check(e, type, fragments);
  }
  throw new Error(`expected ${type.name}, but nothing was thrown`);
}

/** The same for a function returning a promise that should reject. */
export async function expectRejection<E extends Error>(
  f: () => Promise<unknown>,
  type: ErrorClass<E>,
  ...fragments: string[]
): Promise<E> {
  try {
    await f();
  } catch (e) {
    return check(e, type, fragments);
  }
  throw new Error(`expected ${type.name}, but the promise resolved`);
}
