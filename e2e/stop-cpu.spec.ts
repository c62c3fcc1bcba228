// A tiny model on the CPU runs a batch in a fraction of a millisecond. The Worker used to post a
// message for each one, which flooded the page's thread: it missed Stop for minutes and drew its
// charts for every batch. Now the Worker coalesces its progress (progress-outbox.ts) and the page
// stays free to take the click.
import { expect, type Page, test } from '@playwright/test';
import { PROGRESS_WITH_ETA, progressSeen, recordProgress, setEpochs } from './fixtures';

interface StopCount {
  epochEnds: number;
  epochEndsAtStop: number | null;
}

/**
 * Counts, in the page, the epochs it hears of (the element's wt-epoch-end events) and how many it
 * had heard of when the click on Stop reached it: epochs, not seconds, so the load does not matter.
 */
async function countEpochsAroundStop(page: Page): Promise<void> {
  await page.evaluate(() => {
    const count = { epochEnds: 0, epochEndsAtStop: null as number | null };
    (window as unknown as { stopCount: StopCount }).stopCount = count;
    document.addEventListener('wt-epoch-end', () => {
      count.epochEnds++;
    });
    document.addEventListener(
      'click',
      (event) => {
        const target = event.composedPath()[0];
        if (target instanceof HTMLButtonElement && target.textContent?.trim() === 'Stop') {
          count.epochEndsAtStop ??= count.epochEnds;
        }
      },
      true,
    );
  });
}

test('Stop ends a CPU run of a tiny model on one-row batches at once, however long it ran, and the ETA shows a time', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Palmer penguins' }).click();
  await page.getByRole('button', { name: 'Logistic / linear regression' }).click();
  await setEpochs(page, 100_000);
  // One row per batch: 240 batches an epoch, each a fraction of a millisecond, and an epoch (with
  // its validation, weight histograms and checkpoint) every few milliseconds.
  await page.getByLabel('batch size').fill('1');
  await page.getByLabel('batch size').dispatchEvent('change');
  await page.getByTestId('backend-select').selectOption('cpu');
  await recordProgress(page);
  await countEpochsAroundStop(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('run-backend')).toContainText('CPU');
  // Hundreds of epochs in: the page used to fall further behind with every one (a message per
  // batch, a render and a checkpoint write per epoch), until it took no click at all.
  await expect(page.getByTestId('progress-text')).toContainText(/Epoch (?:[2-9]\d\d|\d+,\d{3}) of 100,000/, {
    timeout: 60_000,
  });
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('done');

  const count = await page.evaluate(() => (window as unknown as { stopCount: StopCount }).stopCount);
  const atStop = count.epochEndsAtStop ?? Number.NaN;
  expect(atStop).toBeGreaterThanOrEqual(199);
  // The page took the click with its view at most 50 ms behind the Worker, which stopped after the
  // batch in flight: it hears of a few more epochs, not of a tenth more of the run.
  expect(count.epochEnds - atStop).toBeLessThanOrEqual(Math.ceil(atStop / 10));
  await expect(page.getByTestId('progress-text')).toHaveText(
    `Stopped at epoch ${count.epochEnds.toLocaleString('en-US')} of 100,000`,
  );
  // The ETA, measured in the Worker, showed a time while the run went on.
  const texts = await progressSeen(page);
  expect(
    texts.some((t) => PROGRESS_WITH_ETA.test(t)),
    texts.slice(0, 20).join('\n'),
  ).toBe(true);
});
