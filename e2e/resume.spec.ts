import { expect, type Page, test } from '@playwright/test';
import { setEpochs } from './fixtures';

/** Trains penguins with the BatchNormalization preset, pauses after a few epochs and reloads. */
async function reloadMidRun(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'Palmer penguins' }).click();
  await page.getByRole('button', { name: 'MLP with BatchNormalization and Dropout' }).click();
  await setEpochs(page, 30);
  await page.getByLabel('batch size').fill('16');
  await page.getByLabel('batch size').dispatchEvent('change');
  // On WebGPU (SwiftShader), as written: auto takes the CPU here, where 30 epochs can end before the pause.
  await page.getByTestId('backend-select').selectOption('webgpu');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('progress-text')).toContainText(/Epoch ([4-9]|[12][0-9]) of 30/, {
    timeout: 60_000,
  });
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('paused');
  await page.reload();
  await expect(page.getByTestId('resumable')).toContainText('penguins.csv');
}

test('resuming after a reload brings back the Data and Model panels and every weight histogram', async ({
  page,
}) => {
  await reloadMidRun(page);
  await page.getByTestId('resumable').getByRole('button', { name: 'Resume it' }).click();
  // The panels show the run's data and model, not "Load a dataset first".
  await expect(page.getByTestId('data-summary')).toContainText('penguins.csv');
  await expect(page.getByTestId('target')).toHaveValue('Species');
  await expect(page.getByText('Load a dataset first')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'MLP with BatchNormalization and Dropout' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect(page.getByLabel('batch size')).toHaveValue('16');
  await expect(page.getByLabel('epochs')).toHaveValue('30');
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  // One snapshot at the start and one per epoch: those from before the reload are kept.
  await expect(page.locator('wt-histograms-view summary')).toContainText('31 snapshots');
  await expect(page.getByRole('button', { name: 'Train again' })).toBeEnabled();
});

test('a run saved by an older version (no panels in its record) still resumes, and says what it lacks', async ({
  page,
}) => {
  await reloadMidRun(page);
  // Turn the stored run record into the version 1 form: no version, no panels.
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('webgpu-trainer');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const store = db.transaction('records', 'readwrite').objectStore('records');
    const keys = await new Promise<IDBValidKey[]>((resolve) => {
      const r = store.getAllKeys();
      r.onsuccess = () => resolve(r.result);
    });
    for (const key of keys.filter((k) => String(k).startsWith('run:'))) {
      const record = await new Promise<{ run: Record<string, unknown> }>((resolve) => {
        const r = store.get(key);
        r.onsuccess = () => resolve(r.result);
      });
      delete record.run.version;
      delete record.run.panels;
      store.put(record, key);
    }
  });
  await page.reload();
  await page.getByTestId('resumable').getByRole('button', { name: 'Resume it' }).click();
  await expect(page.getByTestId('resume-note')).toContainText('saved by an older version');
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  await expect(page.getByTestId('test-metrics')).toContainText('accuracy');
});
