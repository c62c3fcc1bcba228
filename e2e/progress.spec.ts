import { expect, type Page, test } from '@playwright/test';
import { setEpochs } from './fixtures';

/** Records every text the progress line shows from now on (the phases can be brief). */
async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { progressSeen: string[] }).progressSeen = seen;
    const panel = document.querySelector('webgpu-trainer')?.shadowRoot?.querySelector('wt-train-panel');
    const root = panel?.shadowRoot;
    if (!root) throw new Error('no train panel');
    const note = () => {
      const text = root.querySelector('[data-testid="progress-text"]')?.textContent?.trim();
      if (text && seen.at(-1) !== text) seen.push(text);
    };
    new MutationObserver(note).observe(root, { subtree: true, childList: true, characterData: true });
  });
}

const seen = (page: Page) =>
  page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);

test('progress shows each phase (preparing, training with an ETA, validating, evaluating), then how it ended', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Iris flowers' }).click();
  await setEpochs(page, 4);
  // Small batches (13 or so per epoch), so frames show the ETA between the epoch ends (batches come faster than frames).
  await page.getByLabel('batch size').fill('8');
  await page.getByLabel('batch size').dispatchEvent('change');
  // On WebGPU (SwiftShader), as written: on the CPU, which auto takes for Iris, batches are too
  // quick for frames to show the ETA between epoch ends.
  await page.getByTestId('backend-select').selectOption('webgpu');
  await recordProgress(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  const texts = await seen(page);
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
  await setEpochs(page, 2000);
  // On WebGPU (SwiftShader), as written. On the CPU, which auto takes for penguins, the page did
  // not take the Stop click within 2 min (a batch message every ~0.1 ms from the Worker, likely).
  await page.getByTestId('backend-select').selectOption('webgpu');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('progress-text')).toContainText(/Epoch (?:[3-9]|[1-9]\d+) of 2,?000/, {
    timeout: 60_000,
  });
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('done');
  await expect(page.getByTestId('progress-text')).toHaveText(/^Stopped at epoch \d+ of 2,?000$/);
  await expect(page.getByTestId('progress-text')).not.toContainText('Finished');
});
