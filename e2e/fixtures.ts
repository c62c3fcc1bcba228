/**
 * Data and pages the newcomer e2e tests make for themselves: deterministic CSVs (a seeded
 * generator, no files to keep in step) and a page embedding the element with given attributes.
 */
import { expect, type Page } from '@playwright/test';

/** A small deterministic generator (mulberry32), so every run gets the same rows. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `classes` well-separated clusters in 3 features, `perClass` rows each, with long class names. */
export function manyClassesCsv(classes = 7, perClass = 24): string {
  const next = random(7);
  const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
  const rows = ['x1,x2,x3,category'];
  for (let r = 0; r < perClass; r++) {
    for (let c = 0; c < classes; c++) {
      const f = [c, (c * 3) % classes, (c * 5) % classes].map((v) => (v * 2 + next() * 0.6).toFixed(3));
      rows.push(`${f.join(',')},category-${names[c]}-long-name`);
    }
  }
  return `${rows.join('\n')}\n`;
}

/** 1,500 rows: a measurement, a grade 1..3 (500 rows each), a binary label that depends on both. */
export function gradesCsv(): string {
  const next = random(3);
  const rows = ['size,grade,passed'];
  for (let i = 0; i < 1500; i++) {
    const grade = (i % 3) + 1;
    const size = (next() * 10).toFixed(2);
    rows.push(`${size},${grade},${Number(size) + grade * 2 > 9 ? 'yes' : 'no'}`);
  }
  return `${rows.join('\n')}\n`;
}

/** Iris-like rows to predict on: `n` of them, cycling through three typical flowers. */
export function irisRowsCsv(n: number): string {
  const typical = ['5.1,3.5,1.4,0.2', '5.9,2.8,4.4,1.3', '6.7,3.0,5.6,2.3'];
  const rows = ['sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)'];
  for (let i = 0; i < n; i++) rows.push(typical[i % 3]);
  return `${rows.join('\n')}\n`;
}

/**
 * Serves a page at /embed-test.html that embeds the element with `attributes` and lists every
 * wt-error it fires (in #errors), then opens it.
 */
export async function openEmbed(page: Page, attributes: string): Promise<void> {
  await page.route('**/embed-test.html', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>embed test</title></head><body>
        <script type="module" src="./webgpu-trainer.js"></script>
        <ol id="errors"></ol>
        <script>
          document.addEventListener('wt-error', (e) => {
            const li = document.createElement('li');
            li.textContent = e.detail.name + ': ' + e.detail.message;
            document.getElementById('errors').append(li);
          });
        </script>
        <webgpu-trainer base-url="./" ${attributes}></webgpu-trainer>
      </body></html>`,
    }),
  );
  await page.goto('/embed-test.html');
}

/** Loads a CSV made in the test through the data panel's file input. */
export async function dropCsv(page: Page, name: string, csv: string): Promise<void> {
  await page
    .locator('wt-data-panel input[type=file]')
    .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByTestId('data-summary')).toContainText(name);
}

export async function setEpochs(page: Page, epochs: number): Promise<void> {
  await page.getByLabel('epochs').fill(String(epochs));
  await page.getByLabel('epochs').dispatchEvent('change');
}

export async function trainToEnd(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Train( again)?$/ }).click();
  await expect(page.getByTestId('run-status')).toHaveText('training');
  await expect(page.getByTestId('run-status')).toHaveText('done', { timeout: 90_000 });
}

/** A safetensors header: each tensor's entry, and `__metadata__`'s strings (model_config, ...). */
type SafetensorsHeader = Record<string, { shape?: number[]; [key: string]: unknown }>;

/**
 * Clicks the page's safetensors download and returns the file's name, its bytes and its JSON header (the
 * 8-byte little-endian length, then the header), for checks on what the user got.
 */
export async function downloadSafetensorsHeader(
  page: Page,
): Promise<{ name: string; header: SafetensorsHeader; bytes: Buffer }> {
  const download = page.waitForEvent('download');
  await page.getByTestId('download-safetensors').click();
  const file = await download;
  const bytes = Buffer.concat(await (await file.createReadStream()).toArray());
  const headerLength = Number(bytes.readBigUInt64LE(0));
  return {
    name: file.suggestedFilename(),
    bytes,
    header: JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')),
  };
}

/** Records every text the progress line shows from now on (the phases can be brief). */
export async function recordProgress(page: Page): Promise<void> {
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

/** The texts recordProgress saw, in order. */
export const progressSeen = (page: Page): Promise<string[]> =>
  page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);

/** The progress line while training, with a time left ("about 12 s left", "about 1 min 5 s left"). */
export const PROGRESS_WITH_ETA =
  /^Epoch [\d,]+ of [\d,]+, batch [\d,]+ of [\d,]+ · [\d,]+ samples\/s · about (\d+ s|\d+ min \d+ s) left$/;
