import { expect, test } from '@playwright/test';
import { dropCsv, gradesCsv, manyClassesCsv, setEpochs, trainToEnd } from './fixtures';

test.describe('at 1280 px', () => {
  test.use({ viewport: { width: 1280, height: 900 } });

  test('the fresh page says what it is for and what to do first, and numbers its steps 1 to 6', async ({
    page,
  }) => {
    await page.goto('/');
    await expect(page.getByTestId('intro')).toContainText(
      'Train a neural network on a table of your own data',
    );
    await expect(page.getByTestId('intro')).toContainText('Start with step 1');
    await expect(page.locator('webgpu-trainer').getByRole('heading', { level: 2 })).toHaveText([
      /^1 · Data/,
      /^2 · Model/,
      /^3 · Train/,
      /^4 · Evaluate/,
      /^5 · Predict/,
      /^6 · Models/,
    ]);
    // "choose one" sits beside its file button, not above it.
    const label = page.locator('wt-data-panel label', { hasText: 'choose one' });
    const input = label.locator('input[type=file]');
    const [l, i] = [await label.boundingBox(), await input.boundingBox()];
    expect(Math.abs((l?.y ?? 0) + (l?.height ?? 0) / 2 - ((i?.y ?? 0) + (i?.height ?? 0) / 2))).toBeLessThan(
      4,
    );
  });

  test('counts have thousands separators, in the summary and in the "why" of a column', async ({ page }) => {
    await page.goto('/');
    await dropCsv(page, 'grades.csv', gradesCsv());
    await expect(page.getByTestId('data-summary')).toContainText('1,500 rows');
    await expect(page.getByTestId('data-summary')).toContainText('1,050 train');
    const why = page.getByTestId('columns').locator('tr', { hasText: 'grade' }).locator('td').last();
    await expect(why).toContainText('3 distinct integers (1..3) in 1,500 rows');
    await expect(why).not.toContainText('twice');
  });

  test('the saved-models table keeps Load, Rename and Delete on screen', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('button', { name: 'Shapes (8×8 images, synthetic)' }).click();
    await page.getByRole('button', { name: 'MLP with BatchNormalization and Dropout' }).click();
    await setEpochs(page, 1);
    await trainToEnd(page);
    await page.getByTestId('model-name').fill('a model with a long architecture line');
    await page.getByRole('button', { name: 'Save in this browser' }).click();
    const row = page.getByTestId('saved-models').locator('tbody tr').first();
    await expect(row).toContainText('a model with a long architecture line');
    const scroller = page.locator('wt-models-panel .scroll');
    const box = await scroller.boundingBox();
    for (const name of ['Load', 'Rename', 'Delete']) {
      const b = await row.getByRole('button', { name }).boundingBox();
      expect(b).not.toBeNull();
      // Inside the visible part of the scroll box and of the window, without scrolling sideways.
      expect((b?.x ?? 0) + (b?.width ?? 0)).toBeLessThanOrEqual((box?.x ?? 0) + (box?.width ?? 0));
      expect((b?.x ?? 0) + (b?.width ?? 0)).toBeLessThanOrEqual(1280);
    }
  });
});

test.describe('at 360 px, dark', () => {
  test.use({ viewport: { width: 360, height: 800 }, colorScheme: 'dark' });

  test('a wide confusion matrix says it scrolls, and the backend badge stays one tidy box', async ({
    page,
  }) => {
    await page.goto('/');
    const badge = page.locator('wt-backend-badge span');
    await expect(badge).toHaveAttribute('data-state', 'webgpu');
    const b = await badge.boundingBox();
    expect((b?.x ?? 0) + (b?.width ?? 0)).toBeLessThanOrEqual(360);
    // A box (inline-block), so a wrapped name keeps one border around all its lines.
    expect(await badge.evaluate((el) => getComputedStyle(el).display)).toBe('inline-block');
    await dropCsv(page, 'seven-classes.csv', manyClassesCsv());
    await setEpochs(page, 3);
    await trainToEnd(page);
    const scroller = page.getByTestId('confusion-scroll');
    expect(await scroller.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await expect(page.getByTestId('confusion-hint')).toBeVisible();
    // The edge shadow that shows there is more to the right.
    expect(await scroller.evaluate((el) => getComputedStyle(el).backgroundImage)).toContain(
      'radial-gradient',
    );
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  });
});
