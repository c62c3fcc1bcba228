import { expect, test } from '@playwright/test';
import { irisRowsCsv, setEpochs, trainToEnd } from './fixtures';

test('results belong to their model and data: a new dataset or model clears them, and they say whose they are', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Iris flowers' }).click();
  await setEpochs(page, 2);
  await trainToEnd(page);
  await expect(page.getByTestId('eval-label')).toContainText('Test split of iris.csv');
  await expect(page.getByTestId('eval-label')).toContainText('dense_1 Dense(32, relu)');
  const predictFile = page.getByTestId('predict-file');
  await predictFile.setInputFiles({
    name: 'new.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(irisRowsCsv(3)),
  });
  await expect(page.getByTestId('predict-download')).toBeVisible();
  await expect(page.getByTestId('predict-label')).toContainText(
    'new.csv (3 rows); model dense_1 Dense(32, relu)',
  );
  // A file that fails: its error replaces the predictions, and names the file.
  await predictFile.setInputFiles({
    name: 'bad.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('a,b\n1,2\n'),
  });
  await expect(page.getByTestId('predict-error')).toContainText('bad.csv');
  await expect(page.getByTestId('predict-download')).toHaveCount(0);

  // Another dataset: the evaluation and the prediction error were about the old one.
  await page.getByRole('button', { name: 'Palmer penguins' }).click();
  await expect(page.getByTestId('data-summary')).toContainText('penguins.csv');
  await expect(page.getByTestId('predict-error')).toHaveCount(0);
  await expect(page.getByTestId('test-metrics')).toHaveCount(0);
  await expect(page.getByTestId('eval-empty')).toBeVisible();

  // Predictions go when another model becomes current (a new run's).
  await page.getByRole('button', { name: 'Iris flowers' }).click();
  await setEpochs(page, 1);
  await predictFile.setInputFiles({
    name: 'new.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(irisRowsCsv(3)),
  });
  await expect(page.getByTestId('predict-download')).toBeVisible();
  await trainToEnd(page);
  await expect(page.getByTestId('predict-download')).toHaveCount(0);
  await expect(page.getByTestId('predictions')).toHaveCount(0);
});

test('a CNN preset does not linger on data it does not fit: the model switches, with a notice and fresh shapes', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Shapes (8×8 images, synthetic)' }).click();
  await page.getByRole('button', { name: 'Small CNN (rows as square images)' }).click();
  await expect(page.getByTestId('summary')).toContainText('(batch, 8, 8, 8)');
  await page.getByRole('button', { name: 'Iris flowers' }).click();
  await expect(page.getByTestId('data-summary')).toContainText('iris.csv');
  await expect(page.getByTestId('model-notice')).toContainText(
    'Small CNN (rows as square images) does not fit',
  );
  await expect(page.getByTestId('model-error')).toHaveCount(0);
  await expect(page.getByTestId('summary')).not.toContainText('Conv2D');
  await expect(page.getByTestId('summary').locator('tbody tr').last()).toContainText('(batch, 3)');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
});
