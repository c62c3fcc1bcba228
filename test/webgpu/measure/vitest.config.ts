// Runs the measurement scripts (not tests): npx vitest run --config test/webgpu/measure/vitest.config.ts
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/webgpu/measure/*.measure.ts'],
    environment: 'node',
    testTimeout: 1_800_000,
    hookTimeout: 120_000,
  },
});
