// Tests import modules below the package entry (src/graph, src/nn, ...), so they wire the default backend as the entry does.
import { afterAll } from 'vitest';
import { wireDefaultBackend } from '../src/backend/index';
import { removeTempDirs } from './export/temp-dirs';

wireDefaultBackend();

// Python round trips write model files under the OS temp dir; each test file cleans up after itself.
afterAll(removeTempDirs);
