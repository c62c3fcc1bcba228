import { defineConfig } from 'vitest/config';
import { wat } from './scripts/vite-wat.mjs';

export default defineConfig({
  plugins: [wat()],
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    environment: 'node',
    // Node 20 has WebAssembly relaxed SIMD only behind this flag (Chromium has it on), so the
    // CPU kernels' relaxed builds are tested here as well as their plain ones.
    execArgv: ['--experimental-wasm-relaxed-simd'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
