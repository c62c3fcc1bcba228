/**
 * A generated CSV of 100 MB (DATA_STREAM_MB to change) read from disk as a file-backed Blob:
 * every row arrives, and peak heap grows by less than 1.5x the file size (plus fixed slack): the
 * table alone, never the table plus a copy of the text.
 */
import { createWriteStream, openAsBlob, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/parse';

const MB = Number(process.env.DATA_STREAM_MB ?? 100);
const path = join(tmpdir(), `webgpu-trainer-stream-${process.pid}.csv`);

async function writeCsv(bytes: number): Promise<number> {
  const out = createWriteStream(path);
  const species = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
  out.write('id,day,"width (cm)",height (cm),ratio,score,species,flag\r\n');
  let written = 0;
  let rows = 0;
  while (written < bytes) {
    const lines: string[] = [];
    for (let k = 0; k < 10_000; k++, rows++) {
      const i = rows;
      const day = new Date(Date.UTC(2000, 0, 1 + (i % 3650))).toISOString().slice(0, 10);
      const v = Math.sin(i) * 100;
      const cell = i % 997 === 0 ? 'NA' : (v / 7).toFixed(4);
      lines.push(
        `${i},${day},${v.toFixed(3)},${cell},${(i % 101) / 13},${(Math.cos(i) * 5).toFixed(5)},${species[i % 5]},${i % 2 ? 'yes' : 'no'}\r\n`,
      );
    }
    const chunk = lines.join('');
    written += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return rows;
}

afterAll(() => rmSync(path, { force: true }));

it(`streams a ${MB} MB CSV with bounded memory`, { timeout: 600_000 }, async () => {
  const rows = await writeCsv(MB * 1024 * 1024);
  const size = statSync(path).size;
  const blob = await openAsBlob(path);
  globalThis.gc?.();
  const before = process.memoryUsage();
  const rssBefore = before.rss;
  let peakRss = rssBefore;
  let peakHeap = before.heapUsed + before.arrayBuffers;
  let reports = 0;
  const started = performance.now();
  const table = await parseCsv(blob, {
    fileName: 'generated.csv',
    onProgress: () => {
      const m = process.memoryUsage();
      reports++;
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers);
    },
  });
  const seconds = (performance.now() - started) / 1000;
  expect(table.rowCount).toBe(rows);
  expect(table.columns).toHaveLength(8);
  expect(table.columns[6].dict).toEqual(['alpha', 'beta', 'gamma', 'delta', 'epsilon']);
  expect(table.columns[1].dict).toHaveLength(Math.min(rows, 3650));
  expect(reports).toBeGreaterThan(MB / 2);
  const growth = peakHeap - (before.heapUsed + before.arrayBuffers);
  console.log(
    `${(size / 2 ** 20).toFixed(0)} MB, ${rows} rows in ${seconds.toFixed(1)} s; ` +
      `peak heap+buffers growth ${(growth / 2 ** 20).toFixed(0)} MB, peak RSS growth ${((peakRss - rssBefore) / 2 ** 20).toFixed(0)} MB`,
  );
  // The table is 9 bytes a cell (about the file's size here); the text as one string would add
  // another file's worth on top, per-cell strings ten times that. 32 MB covers the garbage of
  // parsed chunks awaiting collection.
  expect(growth).toBeLessThan(1.5 * size + 32 * 2 ** 20);
  expect(peakRss - rssBefore).toBeLessThan(2 * size + 64 * 2 ** 20);
});
