import { expect, test } from '@playwright/test';

test('a bundled sample loads, and the columns, target and split show', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Palmer penguins' }).click();
  const summary = page.getByTestId('data-summary');
  await expect(summary).toContainText('penguins.csv');
  await expect(summary).toContainText('classification (3 classes: Adelie, Chinstrap, Gentoo)');
  await expect(page.getByTestId('target')).toHaveValue('Species');
  await expect(page.getByTestId('columns').locator('tbody tr')).toHaveCount(7);
});

test('a broken CSV is reported by row and leaves the loaded dataset untouched', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Iris flowers' }).click();
  await expect(page.getByTestId('data-summary')).toContainText('iris.csv');
  await page.locator('wt-data-panel input[type=file]').setInputFiles({
    name: 'broken.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('a,b,label\n1,2,x\n3,4\n5,6,y\n'),
  });
  await expect(page.getByRole('alert')).toContainText('broken.csv');
  await expect(page.getByRole('alert')).toContainText('row 3');
  await expect(page.getByTestId('data-summary')).toContainText('iris.csv');
});
