import { expect, test } from '@playwright/test';

test('the page finds the WebGPU adapter of headless Chromium and says which it is', async ({ page }) => {
  await page.goto('/');
  const badge = page.locator('wt-backend-badge span');
  await expect(badge).toHaveAttribute('data-state', 'webgpu');
  // SwiftShader is a software adapter: the badge must say so rather than pretend it is a GPU.
  await expect(badge).toContainText('software fallback adapter');
});
