/**
 * A newcomer's own CSV (issue 16, items 1, 4, 5, 9): an image table of integer pixels, a label in
 * the first column with a junk class, files that need another reading (ragged rows, another
 * encoding, a prediction file missing a column), and the dataset worked out in a Worker.
 */
import { expect, type Page, test } from '@playwright/test';

const DIGITS = 'test/fixtures/digits-8x8.csv';
const SEEDS = 'test/fixtures/seeds-label-first.csv';

async function open(page: Page, file: string | { name: string; mimeType: string; buffer: Buffer }) {
  await page.goto('/');
  await page.locator('wt-data-panel input[type=file]').setInputFiles(file);
}

test('an 8x8 integer-pixel table is one numeric block, image-shaped, and the CNN reads it', async ({
  page,
}) => {
  await open(page, DIGITS);
  const summary = page.getByTestId('data-summary');
  await expect(summary).toContainText('digits-8x8.csv');
  await expect(summary).toContainText('classification (10 classes: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)');
  // 64 pixels, the 16 blank border ones included: judged one by one they were 48.
  await expect(summary).toContainText('64 features');
  await expect(page.getByTestId('block-notice')).toContainText(
    'pixel_0 … pixel_63: 64 neighbouring columns named alike (pixel_N), holding integers 0..16: read together as one numeric block; an 8×8 image.',
  );
  await expect(page.getByTestId('block-notice')).toContainText('16 of them hold one value in every row');
  await expect(page.getByTestId('columns').locator('tbody > tr')).toHaveCount(2); // the block and the target
  // The CNN is available, and the page says what it reads (not only in a tooltip).
  await expect(page.getByTestId('preset-notes')).toContainText(
    'Small CNN (rows as square images): the features are pixel_0 … pixel_63, read as one 8×8 image.',
  );
  await page.getByRole('button', { name: 'Small CNN (rows as square images)' }).click();
  await expect(page.getByTestId('summary')).toContainText('(batch, 8, 8, 8)');

  // The whole block changes at once: one-hot pixels are no longer an image, and the page says why.
  await page.getByLabel('kind of the block pixel_0 … pixel_63').selectOption('integer-category');
  await expect(summary).not.toContainText(' 64 features');
  await expect(page.getByTestId('preset-notes')).toContainText(
    'Small CNN (rows as square images): not available',
  );
  await expect(page.getByRole('button', { name: 'Small CNN (rows as square images)' })).toBeDisabled();
  await page.getByLabel('kind of the block pixel_0 … pixel_63').selectOption('numeric');
  await expect(summary).toContainText('64 features');
  await expect(page.getByRole('button', { name: 'Small CNN (rows as square images)' })).toBeEnabled();
});

test('the CNN trains on the digits block, borders and all', async ({ page }) => {
  await open(page, DIGITS);
  await expect(page.getByTestId('data-summary')).toContainText('64 features');
  await page.getByRole('button', { name: 'Small CNN (rows as square images)' }).click();
  await page.getByLabel('epochs').fill('8');
  await page.getByLabel('epochs').dispatchEvent('change');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 110_000 });
  const accuracy = Number(
    await page.getByTestId('test-metrics').locator('tr', { hasText: 'accuracy' }).locator('td').textContent(),
  );
  expect(accuracy).toBeGreaterThan(0.8); // ten classes: chance is 0.1
});

test('the target is picked by evidence, says why, and a one-row junk class can be left out', async ({
  page,
}) => {
  await open(page, SEEDS);
  await expect(page.getByTestId('target')).toHaveValue('variety');
  await expect(page.getByTestId('target-reason')).toContainText(
    'Target variety: a text column with few values (4), as labels are, and the first column (the only one).',
  );
  const rare = page.getByTestId('rare-classes');
  await expect(rare).toContainText('Class "." (1 row) of variety: too few rows to learn from');
  await rare.getByRole('button', { name: 'Leave out class "." and its row' }).click();
  const summary = page.getByTestId('data-summary');
  await expect(summary).toContainText('classification (3 classes: Canadian, Kama, Rosa)');
  await expect(summary).toContainText('1 row of "." left out');
  await expect(rare).toHaveCount(0);
});

test('ragged rows: plain words and a button that skips them', async ({ page }) => {
  await open(page, {
    name: 'ragged.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('a,b,label\n1,2,x\n3,4\n5,6,y\n7,8,x\n9,1,y\n'),
  });
  const problem = page.getByTestId('data-error');
  await expect(problem).toContainText('ragged.csv, row 3: row 3 has 2 fields, expected 3 (as in row 1)');
  await expect(problem).not.toContainText('onRaggedRow');
  await problem.getByRole('button', { name: 'Skip the rows with the wrong number of fields' }).click();
  await expect(page.getByTestId('data-summary')).toContainText('ragged.csv: 4 rows');
  await expect(page.getByText('1 ragged rows skipped (expected 3 fields)')).toBeVisible();
  await expect(problem).toHaveCount(0);
});

test('a file in another encoding: plain words and a choice of encoding that reads it', async ({ page }) => {
  const rows = [
    'city,temperature,label',
    ...Array.from(
      { length: 12 },
      (_, i) => `${i % 2 ? 'Zürich' : 'Málaga'},${10 + i},${i % 3 ? 'warm' : 'cold'}`,
    ),
  ];
  await open(page, {
    name: 'cities.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(rows.join('\n'), 'latin1'),
  });
  const problem = page.getByTestId('data-error');
  await expect(problem).toContainText(
    'cities.csv, row 2: is not valid UTF-8 text: byte 24 (0xe1 0x6c 0x61 0x67) on line 2',
  );
  await expect(problem).not.toContainText('{ encoding');
  await problem.getByLabel('text encoding').selectOption('windows-1252');
  await problem.getByRole('button', { name: 'Read it in this encoding' }).click();
  await expect(page.getByTestId('data-summary')).toContainText('cities.csv: 12 rows');
  await page.getByText('First rows').click();
  await expect(page.getByTestId('preview')).toContainText('Zürich');
});

test('a prediction file missing a column: plain words and a button that fills it in', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Iris flowers' }).click();
  await page.getByLabel('epochs').fill('3');
  await page.getByLabel('epochs').dispatchEvent('change');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  const rows = ['sepal length (cm),sepal width (cm),petal length (cm)', '5.1,3.5,1.4', '6.7,3.0,5.2'].join(
    '\n',
  );
  await page
    .getByTestId('predict-file')
    .setInputFiles({ name: 'new.csv', mimeType: 'text/csv', buffer: Buffer.from(rows) });
  const alert = page.locator('wt-predict-panel [role=alert]');
  await expect(alert).toContainText(
    'new.csv, column "petal width (cm)": the model needs column "petal width (cm)", absent from this table',
  );
  await expect(alert).not.toContainText('onMissingColumn');
  await page.getByTestId('predict-remedy').click();
  await expect(page.getByTestId('predict-download')).toBeVisible();
  await expect(
    page.getByText('Filled in with training values, as the file lacks them: petal width (cm)'),
  ).toBeVisible();
});

test('the dataset is worked out in a Worker, whatever the file size', async ({ page }) => {
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  await open(page, SEEDS); // 13 KB: below the size where parsing alone moved to a Worker
  await expect(page.getByTestId('data-summary')).toContainText('seeds-label-first.csv');
  expect(workers.some((u) => u.includes('dataset-worker'))).toBe(true);
  // A change of kind is worked out there too, and the answer comes back.
  await page.getByLabel('kind of area').selectOption('categorical');
  await expect(page.getByTestId('data-summary')).not.toContainText(' 7 features');
});

test.describe('at 360 px, dark', () => {
  test.use({ viewport: { width: 360, height: 800 }, colorScheme: 'dark' });

  test('the block, the target reason, a rare class and a remedy fit without sideways scrolling', async ({
    page,
  }) => {
    const wide = () => page.evaluate(() => document.documentElement.scrollWidth);
    await open(page, DIGITS);
    await expect(page.getByTestId('block-notice')).toBeVisible();
    expect(await wide()).toBeLessThanOrEqual(360);
    // Kept with the test's own last-state picture, for people to look at.
    await page.screenshot({ path: test.info().outputPath('digits-360.png'), fullPage: true });
    await page.locator('wt-data-panel input[type=file]').setInputFiles({
      name: 'ragged.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('a,b,label\n1,2,x\n3,4\n'),
    });
    await expect(page.getByTestId('data-error').getByRole('button')).toBeVisible();
    expect(await wide()).toBeLessThanOrEqual(360);
    await page.screenshot({ path: test.info().outputPath('ragged-360.png'), fullPage: true });
    await page.locator('wt-data-panel input[type=file]').setInputFiles(SEEDS);
    await expect(page.getByTestId('rare-classes')).toBeVisible();
    expect(await wide()).toBeLessThanOrEqual(360);
  });
});
