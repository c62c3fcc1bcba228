import { expect, test } from '@playwright/test';
import { openEmbed } from './fixtures';

// Every failure of what the attributes ask for fires wt-error and shows in the element, compact or not.

test('a src that answers 404 fires wt-error and says so in the compact element', async ({ page }) => {
  await page.route('**/missing.csv', (route) => route.fulfill({ status: 404, body: 'not here' }));
  await openEmbed(page, 'src="missing.csv" target="species" autostart compact');
  await expect(page.locator('#errors li')).toHaveCount(1);
  await expect(page.locator('#errors li')).toContainText('DataError: missing.csv: HTTP 404');
  const shown = page.locator('webgpu-trainer').getByTestId('failure');
  await expect(shown).toBeVisible();
  await expect(shown).toContainText('HTTP 404');
  await expect(page.getByTestId('run-status')).toHaveText('idle');
});

test('a server answering a missing file with its home page is told apart from a broken CSV', async ({
  page,
}) => {
  // Status 200 and even a CSV content type: only the body says it is a web page.
  await page.route('**/data/gone.csv', (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/csv',
      body: '<!doctype html>\n<html lang="en"><head><title>My site</title></head>\n<body><p>Welcome, home page</p>\n</body></html>\n',
    }),
  );
  await openEmbed(page, 'src="data/gone.csv" compact');
  const error = page.locator('#errors li');
  await expect(error).toContainText('gone.csv is a web page (HTML), not a CSV file');
  await expect(error).not.toContainText('fields');
  await expect(page.locator('webgpu-trainer').getByTestId('failure')).toContainText('web page (HTML)');
});

test('a target that is not a column fails instead of training on another column', async ({ page }) => {
  await openEmbed(page, 'src="samples/iris.csv" target="kind" model="mlp" epochs="2" autostart compact');
  await expect(page.locator('#errors li')).toContainText(
    'DataError: iris.csv, column "kind": target column does not exist; columns are: sepal length (cm)',
  );
  await expect(page.locator('webgpu-trainer').getByTestId('failure')).toContainText('"kind"');
  await page.waitForTimeout(500);
  await expect(page.getByTestId('run-status')).toHaveText('idle');
});

test('an unknown model fires wt-error naming the presets, shown in compact mode', async ({ page }) => {
  await openEmbed(page, 'src="samples/iris.csv" target="species" model="transformer" autostart compact');
  await expect(page.locator('#errors li')).toContainText(
    "ModelError: model: 'transformer' is neither a preset (linear, mlp, mlp-bn-dropout, cnn)",
  );
  await expect(page.locator('webgpu-trainer').getByTestId('failure')).toContainText('transformer');
  // A preset that does not fit the data fails the same way.
  await openEmbed(page, 'src="samples/iris.csv" target="species" model="cnn" compact');
  await expect(page.locator('#errors li')).toContainText('ModelError: Small CNN');
});

test('compact mode shows training, evaluation and prediction only: no Models section', async ({ page }) => {
  await openEmbed(page, 'src="samples/iris.csv" target="species" compact');
  const trainer = page.locator('webgpu-trainer');
  await expect(trainer.getByRole('heading', { name: '1 · Train' })).toBeVisible();
  await expect(trainer.getByRole('heading', { name: '2 · Evaluate' })).toBeVisible();
  await expect(trainer.getByRole('heading', { name: '3 · Predict' })).toBeVisible();
  await expect(trainer.locator('wt-models-panel')).toBeHidden();
  await expect(trainer.locator('wt-data-panel')).toBeHidden();
  await expect(trainer.getByTestId('intro')).toBeHidden();
  await expect(page.locator('#errors li')).toHaveCount(0);
});
