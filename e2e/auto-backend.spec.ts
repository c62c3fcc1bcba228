import { expect, test } from '@playwright/test';
import { expectAutoPick, loadIris, trainToEnd } from './auto-fixtures';
import { openEmbed } from './fixtures';

test('the page trains on auto by default, shows the pick and why, and the override trains on the backend chosen', async ({
  page,
}) => {
  await loadIris(page);
  const select = page.getByTestId('backend-select');
  await expect(select).toHaveValue('auto');
  await trainToEnd(page);
  await expectAutoPick(page);
  await expect(page.getByTestId('test-metrics')).toContainText('accuracy');

  for (const [value, name] of [
    ['cpu', 'CPU'],
    ['webgpu', 'WebGPU'],
  ] as const) {
    await select.selectOption(value);
    await trainToEnd(page);
    await expect(page.getByTestId('run-backend')).toContainText(`Training on ${name}`);
    await expect(page.getByTestId('backend-choice')).toHaveCount(0);
    await expect(page.getByTestId('run-error')).toHaveCount(0);
  }
  // Back to auto: the choice for this model is kept, so nothing is timed again.
  await select.selectOption('auto');
  await trainToEnd(page);
  await expectAutoPick(page);
  await expect(page.getByTestId('backend-choice')).toContainText('timed before for this model');
});

test('the element trains on auto unless its backend attribute says otherwise', async ({ page }) => {
  await openEmbed(page, 'src="./samples/iris.csv" target="species" epochs="2" autostart backend="cpu"');
  const trainer = page.locator('webgpu-trainer');
  await expect(trainer.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  await expect(trainer.getByTestId('backend-select')).toHaveValue('cpu');
  await expect(trainer.getByTestId('run-backend')).toContainText('Training on CPU');
  await expect(trainer.getByTestId('backend-choice')).toHaveCount(0);

  await openEmbed(page, 'src="./samples/iris.csv" target="species" epochs="2" autostart backend="tpu"');
  await expect(page.locator('#errors li')).toHaveText(
    'InvalidArgumentError: backend="tpu": expected auto, webgpu or cpu; training on auto',
  );
  await expect(trainer.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  await expect(trainer.getByTestId('backend-select')).toHaveValue('auto');
  await expect(trainer.getByTestId('backend-choice')).toContainText('faster than');
});
