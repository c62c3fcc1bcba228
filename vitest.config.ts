import { defineConfig } from 'vitest/config';
import { wat } from './scripts/vite-wat.mjs';

export default defineConfig({
  plugins: [wat()],
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
