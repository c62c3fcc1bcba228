import { expect, test } from '@playwright/test';
import { downloadSafetensorsHeader } from './fixtures';

// The GPU device lost mid-training, in the page (headless Chromium, SwiftShader): the page opened
// with ?test-faults has a hook that tells the training Worker to destroy its device, as a driver
// reset would. The run goes on, the page says what happened, and the model downloads.
test('a GPU device lost mid-training: the run goes on, the page says so, and the model downloads', async ({
  page,
}) => {
  await page.goto('/?test-faults');
  await page.getByRole('button', { name: 'Iris flowers' }).click();
  await expect(page.getByTestId('data-summary')).toContainText('iris.csv');
  await page.getByTestId('backend-select').selectOption('webgpu');
  await page.getByLabel('epochs').fill('80');
  await page.getByLabel('epochs').dispatchEvent('change');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('run-backend')).toContainText('WebGPU');
  await expect(page.getByTestId('progress-text')).toContainText(/Epoch ([2-9]|[1-7][0-9]) of 80/, {
    timeout: 60_000,
  });

  await page.evaluate(() => (globalThis as { __wtLoseDevice?: () => void }).__wtLoseDevice?.());

  const notice = page.getByTestId('recovered-notice');
  await expect(notice).toContainText('The GPU device failed', { timeout: 60_000 });
  await expect(notice).toContainText(/went on from epoch \d+ on (WebGPU|CPU)/);
  await expect(notice).toContainText('nothing was lost');
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  await expect(page.getByTestId('run-error')).toHaveCount(0);
  await expect(page.getByTestId('test-metrics')).toContainText('accuracy');

  const { name, header } = await downloadSafetensorsHeader(page);
  expect(name).toBe('iris.safetensors');
  expect(header['dense_1.kernel'].shape).toEqual([4, 32]);
});
