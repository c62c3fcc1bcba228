// graph owns the Backend interface and imports no concrete backend: an entry hands it the default
// (src/index.ts, the app, the Worker, test/setup.ts). Without one, the first op says so by name.
import { expect, test, vi } from 'vitest';

test('with no default backend wired in, making a tensor throws a BackendError naming the fix', async () => {
  vi.resetModules();
  const engine = await import('../../src/graph/engine');
  const { BackendError } = await import('../../src/errors');
  expect(() => engine.tensor([1, 2], [2])).toThrow(BackendError);
  expect(() => engine.tensor([1, 2], [2])).toThrow(/no backend: import the package entry/);
});

test('the package entry wires in the CPU backend, made on first use', async () => {
  vi.resetModules();
  const entry = await import('../../src/index');
  const t = entry.tensor([1, 2], [2]);
  expect(t.backend.name).toBe('cpu');
  expect(await t.data()).toEqual(new Float32Array([1, 2]));
});
