import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { removeTempDirs, runPython, tempDir, torchMissing, writeFiles } from '../test/export/python';

test.afterAll(removeTempDirs);

// The round trip a user makes: train here, download the bundle, continue in PyTorch on the raw
// CSV, load the result back through the Models panel's file input, and train on here.
test('Continue in PyTorch: the bundle trains on in PyTorch and comes back to train on in the page', async ({
  page,
}) => {
  test.skip(torchMissing !== null, `needs python3 with torch: ${torchMissing}`);
  await page.goto('/');
  await page.getByRole('button', { name: 'Iris flowers' }).click();
  await expect(page.getByTestId('data-summary')).toContainText('iris.csv');
  await page.getByLabel('epochs').fill('3');
  await page.getByLabel('epochs').dispatchEvent('change');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });

  const download = page.waitForEvent('download');
  await page.getByTestId('download-training-bundle').click();
  const dir = tempDir();
  await (await download).saveAs(join(dir, 'bundle.zip'));
  const files = unzipSync(new Uint8Array(readFileSync(join(dir, 'bundle.zip'))));
  expect(Object.keys(files)).toEqual(
    expect.arrayContaining([
      'model.py',
      'README.md',
      'preprocessing.json',
      'split.json',
      'optimizer.safetensors',
    ]),
  );
  const raw = readFileSync(join(import.meta.dirname, '..', 'public', 'samples', 'iris.csv'));
  writeFiles(dir, { 'model.py': files['model.py'], 'iris.csv': raw });
  // The raw CSV: encoded by the bundle's preprocessing, the page's training rows in its order.
  const { stderr } = runPython(
    [
      'model.py',
      'train',
      'bundle.zip',
      '--data',
      'iris.csv',
      '--epochs',
      '2',
      '--out',
      'out',
      '--device',
      'cpu',
    ],
    dir,
  );
  expect(stderr).toMatch(/epochs 4\.\.5 on 102 rows \(24 validation\)/);

  // The page's encoded CSV: continuing from it gives the raw table's losses (same features, rows, order).
  const encodedDownload = page.waitForEvent('download');
  await page.getByTestId('download-encoded-csv').click();
  await (await encodedDownload).saveAs(join(dir, 'encoded.csv'));
  const encoded = readFileSync(join(dir, 'encoded.csv'), 'utf8').trim().split('\n');
  expect(encoded[0]).toBe(
    '(row),sepal length (cm),sepal width (cm),petal length (cm),petal width (cm),species (encoded)',
  );
  expect(encoded).toHaveLength(151);
  // Continued from the encoded CSV, the split maps through (row): the same rows, order and losses.
  runPython(
    [
      'model.py',
      'train',
      'bundle.zip',
      '--data',
      'encoded.csv',
      '--epochs',
      '2',
      '--out',
      'enc',
      '--device',
      'cpu',
    ],
    dir,
  );
  const losses = (f: string): number[] => {
    const zip = unzipSync(new Uint8Array(readFileSync(join(dir, f, 'continued.zip'))));
    return JSON.parse(Buffer.from(zip['training_state.json']).toString('utf8')).history.history.loss;
  };
  const [fromRaw, fromEncoded] = [losses('out'), losses('enc')];
  expect(fromEncoded).toHaveLength(5);
  expect(Math.max(...fromRaw.map((v, i) => Math.abs(v - fromEncoded[i])))).toBeLessThan(1e-6);

  await page.getByTestId('weights-file').setInputFiles(join(dir, 'out', 'continued.zip'));
  await expect(page.getByTestId('bundle-loaded')).toContainText('after epoch 5');
  await expect(page.getByTestId('bundle-loaded')).toContainText('continued with torch');
  await page.getByTestId('bundle-resume').click();
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  await expect(page.getByText('checkpoints are not being saved')).toHaveCount(0);
  // Epochs 1-5 came with the bundle; the page trained the 6th from the PyTorch state.
  await expect(page.getByTestId('download-training-bundle')).toBeEnabled();
  const history = await page
    .locator('wt-models-panel')
    .evaluate((el) => (el as unknown as { run: { history: { epoch: number[] } } }).run.history.epoch);
  expect(history).toEqual([0, 1, 2, 3, 4, 5]);
});
