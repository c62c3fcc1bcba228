/**
 * The Worker path, run in Node with a stand-in Worker that loads the real worker module and
 * passes messages through structured clone (transferring the table's buffers), as a browser does.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { CsvError } from '../../src/data/errors';
import { type CsvProgress, parseCsv } from '../../src/data/parse';
import { columnNames, tableRow } from '../../src/data/table';
import { fixtureFile } from './helpers';

type Handler = (event: { data: unknown }) => void;

class StandInWorker {
  static created = 0;
  onmessage: Handler | null = null;
  onerror: ((event: { message: string }) => void) | null = null;
  terminated = false;
  private readonly ready: Promise<Handler>;

  constructor(url: URL, options: { type: string }) {
    StandInWorker.created++;
    expect(options.type).toBe('module');
    const scope = {
      onmessage: null as Handler | null,
      postMessage: (msg: unknown, transfer: Transferable[] = []) => {
        if (!this.terminated) this.onmessage?.({ data: structuredClone(msg, { transfer }) });
      },
    };
    vi.stubGlobal('self', scope);
    this.ready = import(/* @vite-ignore */ `${url.href}?instance=${StandInWorker.created}`).then(
      () => scope.onmessage!,
    );
  }

  postMessage(data: unknown): void {
    void this.ready.then((handler) => handler({ data }));
  }

  terminate(): void {
    this.terminated = true;
  }
}

afterEach(() => vi.unstubAllGlobals());

function useStandInWorker(): void {
  vi.stubGlobal('Worker', StandInWorker);
  vi.stubGlobal('document', {});
}

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
