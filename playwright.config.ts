import { defineConfig } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './scripts/chromium.mjs';

const port = Number(process.env.E2E_PORT ?? 4873);

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: '.reports/playwright.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    launchOptions: {
      // Debian's Chromium with WebGPU on SwiftShader (scripts/chromium.mjs).
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS],
    },
    trace: 'retain-on-failure',
    // A picture of every test's last state, kept in test-results/ (the main views, for people to look at).
    screenshot: { mode: 'on', fullPage: true },
  },
  webServer: {
    command: `npx vite preview --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
