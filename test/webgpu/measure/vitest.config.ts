// Runs the measurement scripts (not tests): npx vitest run --config test/webgpu/measure/vitest.config.ts
import { defineConfig } from 'vitest/config';
import { wat } from '../../../scripts/vite-wat.mjs';

export default defineConfig({
  // The CPU backend's WebAssembly kernels are imported as .wat sources, as in the tests' config.
  plugins: [wat()],
  test: {
    include: ['test/webgpu/measure/*.measure.ts'],
    // The tests' set-up: the default backend wired, and an empty tuning cache per file.
    setupFiles: ['test/setup.ts'],
    environment: 'node',
    execArgv: ['--experimental-wasm-relaxed-simd'],
    testTimeout: 1_800_000,
    hookTimeout: 120_000,
  },
});
