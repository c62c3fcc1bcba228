import { expect, test } from '@playwright/test';
import { progressSeen, recordProgress, setEpochs } from './fixtures';

test('progress shows each phase (preparing, training with an ETA, validating, evaluating), then how it ended', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Iris flowers' }).click();
  await setEpochs(page, 4);
  // Small batches (13 or so per epoch), so the Worker's progress posts (every 50 ms) show the ETA
  // between the epoch ends.
  await page.getByLabel('batch size').fill('8');
  await page.getByLabel('batch size').dispatchEvent('change');
  // On WebGPU (SwiftShader), as written: on the CPU, which auto takes for Iris, these 4 epochs end
  // within a few of the Worker's posts, too soon for an ETA (e2e/stop-cpu.spec.ts sees it there).
  await page.getByTestId('backend-select').selectOption('webgpu');
  await recordProgress(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  const texts = await progressSeen(page);
  expect(texts[0]).toBe('Epoch 1 of 4: preparing the model…');
  expect(
    texts.some((t) =>
      /^Epoch \d of 4, batch \d+ of \d+ · [\d,]+ samples\/s · about (\d+ s|\d+ min \d+ s) left$/.test(t),
    ),
    texts.join('\n'),
  ).toBe(true);
  expect(texts.some((t) => t.endsWith('· validating…'))).toBe(true);
  expect(texts).toContain('Evaluating on the test split…');
  await expect(page.getByTestId('progress-text')).toHaveText('Finished: 4 epochs');
});

test('a stopped run says where it stopped', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Palmer penguins' }).click();
  // Many epochs, and any epoch from the third on: on a quiet machine the progress line can skip
  // from epoch 1 straight past 9, and a short run could finish before Stop is pressed.
  // On auto, the default, which takes the CPU for penguins: its epochs take milliseconds.
  await setEpochs(page, 2000);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('progress-text')).toContainText(/Epoch (?:[3-9]|[1-9]\d+) of 2,?000/, {
    timeout: 60_000,
  });
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('done');
  await expect(page.getByTestId('progress-text')).toHaveText(/^Stopped at epoch \d+ of 2,?000$/);
  await expect(page.getByTestId('progress-text')).not.toContainText('Finished');
});
