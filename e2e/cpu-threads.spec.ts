import { expect, test } from '@playwright/test';
import { dropCsv, setEpochs } from './fixtures';

/** 400 rows of 600 features and a two-class label: a first layer wide enough for the CPU's threads to cut. */
function wideCsv(): string {
  let state = 11;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const header = [...Array.from({ length: 600 }, (_, i) => `f${i}`), 'label'];
  const rows = [header.join(',')];
  for (let r = 0; r < 400; r++) {
    const f = Array.from({ length: 600 }, () => next() * 2 - 1);
    rows.push(`${f.map((v) => v.toFixed(3)).join(',')},${f[0] + f[1] > 0 ? 'up' : 'down'}`);
  }
  return `${rows.join('\n')}\n`;
}

test('the page is cross-origin isolated, and the CPU backend trains on several threads in its Worker', async ({
  page,
}) => {
  await page.goto('/');
  // The server's COOP/COEP headers (vite.config.ts) are what gives the page SharedArrayBuffer.
  expect(await page.evaluate(() => crossOriginIsolated && typeof SharedArrayBuffer === 'function')).toBe(
    true,
  );
  const threads = Math.min(8, await page.evaluate(() => navigator.hardwareConcurrency));
  test.skip(threads < 2, 'one logical core: the CPU backend runs on one thread');
  await dropCsv(page, 'wide.csv', wideCsv());
  await setEpochs(page, 2);
  // The user's override: train on the CPU whatever auto would pick.
  await page.getByTestId('backend-select').selectOption('cpu');
  const line = page.getByTestId('run-backend');
  const status = page.getByTestId('run-status');
  // setBackend('cpu') in the training Worker starts the kernel workers before the first step.
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(line).toContainText(`CPU (float32), WebAssembly SIMD on ${threads} threads, in a Worker`);
  await expect(status).toHaveText('done', { timeout: 90_000 });
  // ... and the run evaluates like any other: a real accuracy on the test split.
  const accuracy = page
    .getByTestId('test-metrics')
    .locator('tr', { hasText: 'accuracy' })
    .locator('td')
    .first();
  const value = Number(await accuracy.textContent());
  expect(value >= 0 && value <= 1).toBe(true);
});
