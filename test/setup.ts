// Tests import modules below the package entry (src/graph, src/nn, ...), so they wire the default backend as the entry does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { wireDefaultBackend } from '../src/backend/index';
import { removeTempDirs } from './export/temp-dirs';

wireDefaultBackend();

// setBackend('webgpu') and 'auto' tune by default and keep the choices in the OS cache dir
// ($XDG_CACHE_HOME): each test file gets a fresh one, so no test reads or writes the user's.
const cacheHome = mkdtempSync(join(tmpdir(), 'cache-'));
process.env.XDG_CACHE_HOME = cacheHome;
afterAll(() => rmSync(cacheHome, { recursive: true, force: true }));

// Python round trips write model files under the OS temp dir; each test file cleans up after itself.
afterAll(removeTempDirs);
