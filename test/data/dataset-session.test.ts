/**
 * The page's dataset worked out in a Worker (run in Node through the stand-in Worker): the table
 * stays in the worker, each choice comes back as schema and arrays, errors keep their class,
 * plain words and remedy, and a failure leaves the last good table in place.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DatasetChoices } from '../../src/data/dataset-builder';
import { DatasetSession } from '../../src/data/dataset-session';
import { CsvError, DataError } from '../../src/data/errors';
import { Preprocessor } from '../../src/data/preprocessor';
import { fixtureFile } from './helpers';
import { StandInWorker, useStandInWorker } from './stand-in-worker';

afterEach(() => vi.unstubAllGlobals());

const CHOICES: DatasetChoices = {
  kinds: {},
  exclude: [],
  split: { train: 0.7, validation: 0.15, test: 0.15 },
  seed: 3,
  dropClasses: [],
};

describe('DatasetSession', () => {
  it('in a Worker: the target by evidence, the block, the arrays, as on this thread', async () => {
    useStandInWorker();
    const before = StandInWorker.created;
    const session = new DatasetSession();
    expect(session.inWorker).toBe(true);
    const progress: number[] = [];
    const file = fixtureFile('digits-8x8.csv');
    const view = await session.load(file, { fileName: file.name, chunkBytes: 16384 }, CHOICES, (p) =>
      progress.push(p.bytesRead),
    );
    expect(StandInWorker.created).toBe(before + 1);
    expect(progress.at(-1)).toBe(file.size);
    expect(view.choices).toMatchObject({
      target: 'digit',
      targetReason: 'its name, "digit", is a usual name for what to predict',
    });
    expect(view.table).toMatchObject({ source: 'digits-8x8.csv', rowCount: 600 });
    expect(view.table.columnNames).toHaveLength(65);
    expect('columns' in view.table).toBe(false); // no cells cross
    expect(view.schema.blocks[0].image).toEqual({ height: 8, width: 8, channels: 1 });
    expect(view.prepared.preprocessor).toBeInstanceOf(Preprocessor);
    expect(view.prepared.train.xData).toHaveLength(view.prepared.train.rows * 64);

    const here = await new DatasetSession(false).load(file, { fileName: file.name }, CHOICES);
    expect(Array.from(view.prepared.train.xData)).toEqual(Array.from(here.prepared.train.xData));
    expect(Array.from(view.prepared.test.yData)).toEqual(Array.from(here.prepared.test.yData));

    // A change is worked out on the table the worker kept; the same worker answers.
    const changed = await session.update({ ...view.choices, exclude: ['pixel_0'] });
    expect(changed.prepared.inputSize).toBe(63);
    expect(StandInWorker.created).toBe(before + 1);
    session.dispose();
  });

  it('errors keep their class, plain words and remedy; a failed load keeps the last table', async () => {
    useStandInWorker();
    const session = new DatasetSession();
    const good = await session.load(
      fixtureFile('seeds-label-first.csv'),
      { fileName: 'seeds-label-first.csv' },
      CHOICES,
    );
    const ragged = await session
      .load(fixtureFile('ragged.csv'), { fileName: 'ragged.csv' }, CHOICES)
      .catch((e: unknown) => e);
    expect(ragged).toBeInstanceOf(CsvError);
    const e = ragged as CsvError;
    expect(e.message).toMatch(/; fix the row or pass \{ onRaggedRow: 'skip' \}$/);
    expect(e.plain).toBe('ragged.csv, row 4: row 4 has 2 fields, expected 3 (as in row 1)');
    expect(e.remedy).toEqual({ action: 'skip-ragged-rows' });
    // The seeds table is still the one the worker holds.
    const again = await session.update({ ...good.choices, dropClasses: ['.'] });
    expect(again.prepared.classNames).toEqual(['Canadian', 'Kama', 'Rosa']);
    const bad = await session.update({ ...good.choices, target: 'nope' }).catch((x: unknown) => x);
    expect(bad).toBeInstanceOf(DataError);
    expect((bad as DataError).column).toBe('nope');
    const skipped = await session.load(
      fixtureFile('ragged.csv'),
      { fileName: 'ragged.csv', onRaggedRow: 'skip' },
      CHOICES,
    );
    expect(skipped.table.skippedRows).toBeGreaterThan(0);
    session.dispose();
  });
});
