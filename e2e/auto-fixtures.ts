/** Steps the auto-backend specs share: Iris on the page, a run to its end, the pick as the page shows it. */
import { expect, type Page } from '@playwright/test';
import { setEpochs } from './fixtures';

export async function loadIris(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'Iris flowers' }).click();
  await expect(page.getByTestId('data-summary')).toContainText('iris.csv');
  await setEpochs(page, 3);
}

export async function trainToEnd(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Train( again)?$/ }).click();
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
}

/** The pick the page shows is the faster of the two timings auto reports, and the reason names both. */
export async function expectAutoPick(page: Page): Promise<string> {
  const choice = page.getByTestId('backend-choice');
  await expect(choice).toContainText(/Auto picked (CPU|WebGPU): [\d.]+x faster than/);
  const text = (await choice.textContent()) ?? '';
  expect(text).toContain('CPU');
  expect(text).toContain('WebGPU');
  const picked = text.includes('Auto picked CPU') ? 'CPU' : 'WebGPU';
  await expect(page.getByTestId('run-backend')).toContainText(`Training on ${picked}`);
  await expect(page.locator('wt-backend-badge [data-testid="auto-pick"]')).toHaveText(`Auto: ${picked}`);
  return picked;
}
