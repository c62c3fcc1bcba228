import { expect, test } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS, OPENGLES_ARGS } from '../scripts/chromium.mjs';
import { expectAutoPick, loadIris, trainToEnd } from './auto-fixtures';

// llvmpipe through OpenGL ES: with --force-webgpu-compat every requestAdapter() in the page, the
// training Worker's included, gets it (shared/WEBGPU-TESTING.md).
test.use({
  launchOptions: {
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, ...OPENGLES_ARGS, '--force-webgpu-compat'],
  },
});

test('auto on llvmpipe: times the model on the compatibility-mode adapter and the CPU, and picks the faster', async ({
  page,
}) => {
  await loadIris(page);
  await trainToEnd(page);
  await expect(page.getByTestId('backend-choice')).toContainText('compatibility');
  await expectAutoPick(page);
});
