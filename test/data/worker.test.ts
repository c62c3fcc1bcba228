/**
 * The Worker path, run in Node with a stand-in Worker that loads the real worker module and
 * passes messages through structured clone (transferring the table's buffers), as a browser does.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { CsvError } from '../../src/data/errors';
import { type CsvProgress, parseCsv } from '../../src/data/parse';
import { columnNames, tableRow } from '../../src/data/table';
import { fixtureFile } from './helpers';
import { StandInWorker, useStandInWorker } from './stand-in-worker';

afterEach(() => vi.unstubAllGlobals());

it('parses a large file in the worker with progress, giving the same table', async () => {
  useStandInWorker();
  const file = fixtureFile('orders-tab.tsv');
  const progress: CsvProgress[] = [];
  const before = StandInWorker.created;
  const viaWorker = await parseCsv(file, {
    workerThresholdBytes: 100,
    chunkBytes: 1024,
    onProgress: (p) => progress.push(p),
  });
  expect(StandInWorker.created).toBe(before + 1);
  expect(progress.at(-1)).toMatchObject({ bytesRead: file.size, totalBytes: file.size });
  const here = await parseCsv(file, { worker: false });
  expect(columnNames(viaWorker)).toEqual(columnNames(here));
  for (let r = 0; r < here.rowCount; r++) expect(tableRow(viaWorker, r)).toEqual(tableRow(here, r));
});

it('small files stay on the page thread', async () => {
  useStandInWorker();
  const before = StandInWorker.created;
  await parseCsv(fixtureFile('orders-tab.tsv'));
  expect(StandInWorker.created).toBe(before);
});

it('an error in the worker arrives as the same CsvError', async () => {
  useStandInWorker();
  const err = await parseCsv(fixtureFile('ragged.csv'), { worker: true }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CsvError);
  expect((err as CsvError).message).toMatch(/^ragged\.csv, row 4: row 4 has 2 fields, expected 3/);
  expect((err as CsvError).row).toBe(4);
});
