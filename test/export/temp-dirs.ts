/**
 * Temp folders for the Python round trips, kept apart from python.ts (which probes the
 * interpreter on import) so that test/setup.ts can clean up after every file at no cost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const madeDirs: string[] = [];

/** A fresh folder under the OS temp dir, removed by `removeTempDirs` (test/setup.ts calls it after each file). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'export-'));
  madeDirs.push(dir);
  return dir;
}

/** Removes every folder `tempDir` made in this process (worker) so far. */
export function removeTempDirs(): void {
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
