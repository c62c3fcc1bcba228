import { expect, test } from '@playwright/test';

test('any page can embed <webgpu-trainer> with one script tag and train in it, styles kept apart', async ({
  page,
}) => {
  await page.goto('/embed-example.html');
  await expect(page.getByRole('heading', { name: 'My blog post about penguins' })).toBeVisible();
  const trainer = page.locator('webgpu-trainer');
  await trainer.getByRole('button', { name: 'Iris flowers' }).click();
  await expect(trainer.getByTestId('data-summary')).toContainText('iris.csv');
  await trainer.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(trainer.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  await expect(trainer.getByTestId('test-metrics')).toContainText('accuracy');
  // The host's button and heading styles do not reach inside, and the element's do not leak out.
  const trainButton = trainer.getByRole('button', { name: 'Train again' });
  expect(await trainButton.evaluate((b) => getComputedStyle(b).backgroundColor)).not.toBe('rgb(255, 0, 255)');
  expect(
    await page.getByRole('heading', { name: 'Comments' }).evaluate((h) => getComputedStyle(h).color),
  ).toBe('rgb(128, 0, 0)');
});
