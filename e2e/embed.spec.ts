import { expect, test } from '@playwright/test';

test('the embed page trains from attributes alone, and the events reach the page with their logs', async ({
  page,
}) => {
  await page.goto('/embed.html');
  await expect(page.getByRole('heading', { name: 'My blog post about irises' })).toBeVisible();
  const events = page.locator('#events li');
  await expect(events.filter({ hasText: 'wt-train-end' })).toHaveCount(1, { timeout: 90_000 });
  // The element trains on auto: the backend auto picked for the model, named in the event.
  await expect(events.first()).toHaveText(
    /^wt-train-begin: 5 epochs on (CPU \(float32\)(, WebAssembly SIMD .+)?|WebGPU \(.+\))$/,
  );
  const epochs = await events.filter({ hasText: 'wt-epoch-end' }).allTextContents();
  expect(epochs).toHaveLength(5);
  const losses = epochs.map((t) => Number(t.match(/loss ([\d.]+)/)?.[1]));
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses[4]).toBeLessThan(losses[0]);
  await expect(events.last()).toHaveText('wt-train-end: 5 epochs recorded');

  // compact: only training, evaluation and prediction show.
  const trainer = page.locator('webgpu-trainer');
  await expect(trainer.locator('wt-data-panel')).toBeHidden();
  await expect(trainer.getByTestId('test-metrics')).toContainText('accuracy');
  // Styles stay apart both ways, and the accent set by the host reaches inside.
  const again = trainer.getByRole('button', { name: 'Train again' });
  expect(await again.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(123, 44, 191)');
  expect(
    await page
      .getByRole('heading', { name: 'What the element told this page' })
      .evaluate((h) => getComputedStyle(h).color),
  ).toBe('rgb(128, 0, 0)');
});
