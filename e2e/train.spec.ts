import { expect, type Page, test } from '@playwright/test';

/** Opens the page and loads one of its sample datasets (button label, then the file it names). */
async function loadSample(page: Page, button: string, file: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: button }).click();
  await expect(page.getByTestId('data-summary')).toContainText(file);
}

const train = (page: Page) => page.getByRole('button', { name: 'Train', exact: true }).click();

test('trains a sample in a Worker on WebGPU with live curves, then evaluates on the test split', async ({
  page,
}) => {
  await loadSample(page, 'Iris flowers', 'iris.csv');
  // Forced onto WebGPU: auto (the default) takes the CPU for Iris on a software adapter.
  await page.getByTestId('backend-select').selectOption('webgpu');
  await train(page);

  // While it runs: the backend line names the adapter and the Worker, and the loss chart fills.
  await expect(page.getByTestId('run-backend')).toContainText('WebGPU');
  await expect(page.getByTestId('run-backend')).toContainText('in a Worker');
  await expect(page.locator('wt-live-chart[data-metric="loss"]')).toBeVisible();
  await expect
    .poll(() =>
      page
        .locator('wt-live-chart[data-metric="loss"]')
        .evaluate((el) => (el as unknown as { pointCount: number }).pointCount),
    )
    .toBeGreaterThan(5);

  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  await expect(page.locator('wt-live-chart[data-metric="accuracy"]')).toBeVisible();
  await expect(page.locator('wt-live-chart[data-metric="batch"]')).toHaveCount(0);
  // With no cursor over the plot, the legend reads the last epoch's values, not '--'.
  const legend = page.locator('wt-live-chart[data-metric="loss"] .u-legend');
  await expect(legend).toContainText(/^epoch\s*30(?![\d.])/);
  await expect(legend).toContainText(/loss \(epoch\)\s*\d\.\d{3}/);
  // The TensorBoard view: one histogram figure per weight of the 32-16 MLP (3 kernels, 3 biases).
  await expect(page.locator('wt-histograms-view figure')).toHaveCount(6);
  await expect(page.locator('wt-histograms-view summary')).toContainText('31 snapshots');

  // Evaluation: the test split's metrics are numbers, and the confusion matrix counts every test row.
  const metrics = page.getByTestId('test-metrics');
  const accuracy = Number(await metrics.locator('tr', { hasText: 'accuracy' }).locator('td').textContent());
  expect(accuracy).toBeGreaterThan(0.8);
  await expect(metrics).toContainText('ROC AUC');
  const cells = await page.getByTestId('confusion').locator('td').allTextContents();
  expect(cells.map(Number).reduce((a, b) => a + b, 0)).toBe(24);
});

test('pause holds training and stop ends it with the weights reached so far', async ({ page }) => {
  await loadSample(page, 'Palmer penguins', 'penguins.csv');
  // On auto, the default, which takes the CPU for penguins: enough epochs that the run outlasts the clicks.
  await page.getByLabel('epochs').fill('2000');
  await page.getByLabel('epochs').dispatchEvent('change');
  await train(page);
  await expect(page.getByTestId('run-status')).toHaveText('training');
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('paused');
  const progress = await page.getByTestId('progress-text').textContent();
  await page.waitForTimeout(700);
  await expect(page.getByTestId('progress-text')).toHaveText(progress ?? '');
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('training');
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('done');
  await expect(page.getByTestId('test-metrics')).toContainText('accuracy');
});

test('the trained model predicts a new CSV, downloaded with prediction and probability columns', async ({
  page,
}) => {
  await loadSample(page, 'Iris flowers', 'iris.csv');
  await train(page);
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });

  const rows = [
    'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm),note',
    '5.1,3.5,1.4,0.2,looks like setosa',
    '6.7,3.0,5.2,2.3,looks like virginica',
  ].join('\n');
  await page
    .getByTestId('predict-file')
    .setInputFiles({ name: 'new.csv', mimeType: 'text/csv', buffer: Buffer.from(rows) });
  const download = page.waitForEvent('download');
  await page.getByTestId('predict-download').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('new-predictions.csv');
  const text = await (await file.createReadStream())
    .toArray()
    .then((chunks) => Buffer.concat(chunks).toString('utf8'));
  const lines = text.trim().split(/\r?\n/);
  expect(lines[0]).toBe(
    'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm),note,prediction,probability setosa,probability versicolor,probability virginica',
  );
  expect(lines[1]).toMatch(/,setosa,/);
  expect(lines[2]).toMatch(/,virginica,/);
  await expect(page.getByText('Ignored columns the model does not use: note')).toBeVisible();
});

test('the small CNN preset trains on image-shaped rows (8x8 shapes) and beats chance clearly', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Shapes (8×8 images, synthetic)' }).click();
  await expect(page.getByTestId('data-summary')).toContainText('64 features');
  await page.getByRole('button', { name: 'Small CNN (rows as square images)' }).click();
  await expect(page.getByTestId('summary')).toContainText('Conv2D');
  await expect(page.getByTestId('summary')).toContainText('(batch, 8, 8, 8)');
  await page.getByLabel('epochs').fill('10');
  await page.getByLabel('epochs').dispatchEvent('change');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 110_000 });
  const accuracy = Number(
    await page.getByTestId('test-metrics').locator('tr', { hasText: 'accuracy' }).locator('td').textContent(),
  );
  expect(accuracy).toBeGreaterThan(0.6); // four classes: chance is 0.25
});

test('a regression sample trains and is evaluated with errors, R², predicted vs actual and residuals', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Cars (fuel economy)' }).click();
  await expect(page.getByTestId('data-summary')).toContainText('regression');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  const metrics = page.getByTestId('test-metrics');
  await expect(metrics).toContainText('mean absolute error');
  const r2 = Number(await metrics.locator('tr', { hasText: 'R²' }).locator('td').textContent());
  expect(r2).toBeGreaterThan(0.5); // fuel economy is well explained by weight, horsepower, year
  await expect(page.getByTestId('residuals')).toBeVisible();
});
