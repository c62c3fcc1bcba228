import { expect, test } from '@playwright/test';
import { setEpochs, trainToEnd } from './fixtures';

type Chart = { scaleRange(s: 'x' | 'y'): [number, number] | null; axisLabels: (string | null)[] };

test('ROC and precision-recall charts have fixed [0, 1] axes, axis titles, chance lines and AUC/AP per class', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Iris flowers' }).click();
  await setEpochs(page, 5);
  await trainToEnd(page);
  for (const [id, x, y] of [
    ['roc', 'false positive rate', 'true positive rate'],
    ['pr', 'recall', 'precision'],
  ] as const) {
    const chart = page.getByTestId(id);
    await expect(chart.locator('.u-legend')).toBeVisible();
    // The axes are the unit square whatever the curves do (a good model's curves hug the edges).
    expect(await chart.evaluate((el) => (el as unknown as Chart).scaleRange('y'))).toEqual([0, 1]);
    expect(await chart.evaluate((el) => (el as unknown as Chart).scaleRange('x'))).toEqual([0, 1]);
    // uPlot draws the titles on its canvas: ask the chart what it gave uPlot.
    expect(await chart.evaluate((el) => (el as unknown as Chart).axisLabels)).toEqual([x, y]);
  }
  const rocLegend = page.getByTestId('roc').locator('.u-legend');
  for (const c of ['setosa', 'versicolor', 'virginica']) {
    await expect(rocLegend).toContainText(new RegExp(`${c} \\(AUC [01]\\.\\d{3}\\)`));
  }
  await expect(rocLegend).toContainText('chance');
  const prLegend = page.getByTestId('pr').locator('.u-legend');
  await expect(prLegend).toContainText(/setosa \(AP [01]\.\d{3}\)/);
  // The PR baseline: the share of the test split in the class.
  await expect(prLegend).toContainText(/setosa baseline 0\.\d{3}/);
  // The chance diagonal really is y = x.
  const diagonal = await page.getByTestId('roc').evaluate((el) => {
    const d = (el as unknown as { data: number[][] }).data;
    return { x: d[0], chance: d[d.length - 1] };
  });
  expect(diagonal.chance).toEqual(diagonal.x);
});
