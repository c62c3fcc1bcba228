import { expect, test } from '@playwright/test';
import { irisRowsCsv, setEpochs, trainToEnd } from './fixtures';

test('predictions show in the page, a page of rows at a time, with the class and its probabilities', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Iris flowers' }).click();
  await setEpochs(page, 20);
  await trainToEnd(page);
  await page
    .getByTestId('predict-file')
    .setInputFiles({ name: 'garden.csv', mimeType: 'text/csv', buffer: Buffer.from(irisRowsCsv(45)) });
  const table = page.getByTestId('predictions');
  await expect(table.locator('thead th')).toHaveText([
    'row',
    'prediction',
    'probability setosa',
    'probability versicolor',
    'probability virginica',
    'sepal length (cm)',
    'sepal width (cm)',
    'petal length (cm)',
    'petal width (cm)',
  ]);
  await expect(table.locator('tbody tr')).toHaveCount(20);
  await expect(page.getByTestId('predict-range')).toHaveText('Rows 1–20 of 45');
  const first = await table.locator('tbody tr').first().locator('td').allTextContents();
  expect(first[0]).toBe('1');
  expect(first[1]).toBe('setosa');
  const probabilities = first.slice(2, 5).map(Number);
  expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
  expect(probabilities[0]).toBeGreaterThan(0.5);
  await expect(table.locator('tbody tr').nth(2).locator('td').nth(1)).toHaveText('virginica');
  await page.getByRole('button', { name: 'Next rows' }).click();
  await page.getByRole('button', { name: 'Next rows' }).click();
  await expect(page.getByTestId('predict-range')).toHaveText('Rows 41–45 of 45');
  await expect(table.locator('tbody tr')).toHaveCount(5);
  await expect(page.getByRole('button', { name: 'Next rows' })).toBeDisabled();
  // The download holds every row, as before.
  const download = page.waitForEvent('download');
  await page.getByTestId('predict-download').click();
  const text = Buffer.concat(await (await (await download).createReadStream()).toArray()).toString('utf8');
  expect(text.trim().split(/\r?\n/)).toHaveLength(46);
});

test('a regression model shows its predicted value per row', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Cars (fuel economy)' }).click();
  await setEpochs(page, 3);
  await trainToEnd(page);
  const csv = await page.evaluate(() => fetch('samples/cars.csv').then((r) => r.text()));
  const head = csv.trim().split(/\r?\n/).slice(0, 4).join('\n');
  await page
    .getByTestId('predict-file')
    .setInputFiles({ name: 'cars-new.csv', mimeType: 'text/csv', buffer: Buffer.from(head) });
  const table = page.getByTestId('predictions');
  await expect(table.locator('tbody tr')).toHaveCount(3);
  await expect(table.locator('thead th').nth(1)).toHaveText('prediction');
  const value = Number(await table.locator('tbody tr').first().locator('td').nth(1).textContent());
  expect(Number.isFinite(value)).toBe(true);
});
