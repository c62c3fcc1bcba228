import { expect, type Page, test } from '@playwright/test';
import { downloadSafetensorsHeader } from './fixtures';

async function startTraining(page: Page, sample: string, epochs: number) {
  await page.goto('/');
  await page.getByRole('button', { name: sample }).click();
  await expect(page.getByTestId('data-summary')).toBeVisible();
  await page.getByLabel('epochs').fill(String(epochs));
  await page.getByLabel('epochs').dispatchEvent('change');
  // On WebGPU (SwiftShader): auto, the default, takes the CPU, whose 40 penguin epochs can end
  // between the progress check and the pause below.
  await page.getByTestId('backend-select').selectOption('webgpu');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
}

test('a reload mid-training offers the run back, and resuming finishes every epoch', async ({ page }) => {
  await startTraining(page, 'Palmer penguins', 40);
  // Wait until a few epochs have been checkpointed, then reload as if the tab had been closed.
  // Pausing first keeps the run unfinished however fast this machine trains (a 12-epoch run could
  // end between the progress check and the reload).
  await expect(page.getByTestId('progress-text')).toContainText(/Epoch ([4-9]|[1-3][0-9]) of 40/, {
    timeout: 60_000,
  });
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('paused');
  await page.reload();
  const banner = page.getByTestId('resumable');
  await expect(banner).toContainText('penguins.csv');
  const savedAfter = Number((await banner.textContent())?.match(/after epoch (\d+) of 40/)?.[1]);
  expect(savedAfter).toBeGreaterThanOrEqual(3);
  expect(savedAfter).toBeLessThan(40);
  await banner.getByRole('button', { name: 'Resume it' }).click();
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  // The loss curve holds the epochs from before the reload and after it: 40 epoch points.
  const epochPoints = await page
    .locator('wt-live-chart[data-metric="loss"]')
    .evaluate(
      (el) =>
        ((el as unknown as { data: (number | null)[][] }).data[2] ?? []).filter((v) => v !== null).length,
    );
  expect(epochPoints).toBe(40);
  await expect(page.getByTestId('test-metrics')).toContainText('accuracy');
  // Finished runs are not offered again.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Iris flowers' })).toBeVisible();
  await expect(page.getByTestId('resumable')).toHaveCount(0);
});

test('a trained model is saved in the browser, survives a reload, loads, and downloads as safetensors', async ({
  page,
}) => {
  await startTraining(page, 'Iris flowers', 5);
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  await page.getByTestId('model-name').fill('iris first try');
  await page.getByRole('button', { name: 'Save in this browser' }).click();
  await expect(page.getByTestId('saved-models')).toContainText('iris first try');

  await page.reload();
  const row = page.getByTestId('saved-models').locator('tr', { hasText: 'iris first try' });
  await expect(row).toContainText('dense_1 Dense(32, relu)');
  await row.getByRole('button', { name: 'Load' }).click();
  await expect(page.getByText("Loaded 'iris first try'.")).toBeVisible();

  const { name, header, bytes } = await downloadSafetensorsHeader(page);
  expect(name).toBe('iris.safetensors');
  expect(header['dense_1.kernel'].shape).toEqual([4, 32]);
  expect(JSON.parse(String(header.__metadata__.model_config)).layers).toHaveLength(3);

  const configDownload = page.waitForEvent('download');
  await page.getByTestId('download-config').click();
  const config = JSON.parse(
    Buffer.concat(await (await (await configDownload).createReadStream()).toArray()).toString('utf8'),
  );
  expect(config.model.layers.map((l: { className: string }) => l.className)).toEqual([
    'Dense',
    'Dense',
    'Dense',
  ]);
  expect(config.training.loss.name).toBe('sparseCategoricalCrossentropy');
  expect(config.app.classNames).toEqual(['setosa', 'versicolor', 'virginica']);

  // ONNX and PyTorch exports of the same model.
  const onnxDownload = page.waitForEvent('download');
  await page.getByTestId('download-onnx').click();
  const onnx = Buffer.concat(await (await (await onnxDownload).createReadStream()).toArray());
  expect(onnx[0]).toBe(0x08); // ModelProto field 1 (ir_version), varint
  expect(onnx.includes(Buffer.from('MatMul'))).toBe(true);
  const pyDownload = page.waitForEvent('download');
  await page.getByTestId('download-pytorch').click();
  const py = Buffer.concat(await (await (await pyDownload).createReadStream()).toArray()).toString('utf8');
  expect(py).toContain('nn.Module');
  expect(py).toContain('def read_safetensors');

  // The downloaded file predicts again when loaded back: its preprocessing travels inside it.
  await page
    .getByTestId('weights-file')
    .setInputFiles({ name: 'iris.safetensors', mimeType: 'application/octet-stream', buffer: bytes });
  await expect(page.getByText('Loaded iris.safetensors')).toBeVisible();
  await expect(page.getByTestId('predict-file')).toBeVisible();
});

test('a damaged weights file is refused with the reason and the current model stays', async ({ page }) => {
  await startTraining(page, 'Iris flowers', 2);
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  const before = await page.getByText('Current model:').textContent();
  const header = Buffer.from(
    JSON.stringify({ 'dense_1.kernel': { dtype: 'F32', shape: [4, 32], data_offsets: [0, 512] } }),
  );
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  const truncated = Buffer.concat([length, header, Buffer.alloc(100)]);
  await page
    .getByTestId('weights-file')
    .setInputFiles({ name: 'broken.safetensors', mimeType: 'application/octet-stream', buffer: truncated });
  await expect(page.getByTestId('weights-error')).toContainText('broken.safetensors');
  await expect(page.getByText('Current model:')).toHaveText(before ?? '');
});

/** A safetensors file written by hand: the header as the spec says, float32 data in name order. */
function safetensors(tensors: Record<string, { shape: number[]; value: number }>): Buffer {
  const names = Object.keys(tensors).sort();
  let offset = 0;
  const header: Record<string, unknown> = {};
  for (const name of names) {
    const bytes = tensors[name].shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: 'F32', shape: tensors[name].shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  while (json.length % 8 !== 0) json += ' ';
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  const data = Buffer.alloc(offset);
  let at = 0;
  for (const name of names) {
    const n = tensors[name].shape.reduce((a, b) => a * b, 1);
    for (let i = 0; i < n; i++, at += 4) data.writeFloatLE(tensors[name].value, at);
  }
  return Buffer.concat([length, Buffer.from(json), data]);
}

test('a weights file loads partly into the current model, with a report of what was loaded and skipped', async ({
  page,
}) => {
  await startTraining(page, 'Iris flowers', 2);
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  await page.getByTestId('into-current').check();
  const file = safetensors({
    'dense_1.kernel': { shape: [4, 32], value: 0.5 },
    'dense_1.bias': { shape: [32], value: 0.25 },
    'dense_3.kernel': { shape: [16, 2], value: 1 },
    'other.weight': { shape: [2], value: 1 },
  });
  await page
    .getByTestId('weights-file')
    .setInputFiles({ name: 'partial.safetensors', mimeType: 'application/octet-stream', buffer: file });
  await expect(
    page.getByText('Loaded 2 of 6 weights from partial.safetensors into the current model.'),
  ).toBeVisible();
  const report = page.getByTestId('partial-report');
  await expect(report).toContainText('loaded dense_1.kernel');
  await expect(report).toContainText('skipped dense_3.kernel: shape mismatch (file [16,2], model [16,3])');
  await expect(report).toContainText('skipped other.weight: missing in model');
  await expect(report).toContainText('skipped dense_2.bias: missing in file');
  // The model that results is whole: its downloaded file holds the loaded values.
  const download = page.waitForEvent('download');
  await page.getByTestId('download-json').click();
  const json = JSON.parse(
    Buffer.concat(await (await (await download).createReadStream()).toArray()).toString('utf8'),
  );
  expect(json.tensors['dense_1.bias'].values.every((v: number) => v === 0.25)).toBe(true);
  expect(json.tensors['dense_3.kernel'].shape).toEqual([16, 3]);
});

test('when storage is full, the page says checkpoints are not saved and training goes on to the end', async ({
  page,
}) => {
  await page.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (value: unknown, key?: IDBValidKey) {
      if (typeof key === 'string' && (key.startsWith('checkpoint:') || key.startsWith('run:'))) {
        throw new DOMException('the quota has been exceeded', 'QuotaExceededError');
      }
      return put.call(this, value, key);
    };
  });
  await startTraining(page, 'Iris flowers', 4);
  await expect(page.getByTestId('storage-problem')).toContainText('checkpoints are not being saved');
  await expect(page.getByTestId('storage-problem')).toContainText('quota');
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
  await expect(page.getByTestId('test-metrics')).toContainText('accuracy');
});
