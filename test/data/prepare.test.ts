import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/data/errors';
import { oneHotLabels } from '../../src/data/labels';
import { prepareDataset } from '../../src/data/prepare';
import { Preprocessor } from '../../src/data/preprocessor';
import { tableFromRows } from '../../src/data/table';
import { columnOf, meanStd, parseFixture, parseSample } from './helpers';

const SAMPLES = [
  { file: 'iris.csv', target: 'species', rows: 150, kept: 150, width: 4, classes: 3 },
  { file: 'penguins.csv', target: 'Species', rows: 344, kept: 344, width: 9, classes: 3 },
  // Cylinders (3, 4, 5, 6, 8) is a count, one number: no name says its integers are codes.
  { file: 'cars.csv', target: 'Miles_per_Gallon', rows: 406, kept: 398, width: 9, classes: 0 },
];

describe('prepareDataset on the bundled samples', () => {
  for (const s of SAMPLES) {
    it(`${s.file}: parse -> schema -> tensors with the right shapes, standardised on train`, async () => {
      const table = await parseSample(s.file);
      expect(table.rowCount).toBe(s.rows);
      const d = prepareDataset(table, { target: s.target, seed: 7 });
      const n = d.train.rows + d.validation.rows + d.test.rows;
      expect(n).toBe(s.kept);
      expect(d.inputSize).toBe(s.width);
      expect(d.train.x.shape).toEqual([d.train.rows, s.width]);
      expect(d.test.x.shape).toEqual([d.test.rows, s.width]);
      expect(Math.abs(d.train.rows - 0.7 * s.kept)).toBeLessThanOrEqual(3);
      if (s.classes > 0) {
        expect(d.train.y.shape).toEqual([d.train.rows]);
        expect(d.classNames).toHaveLength(s.classes);
        for (const v of d.train.yData) expect(Number.isInteger(v) && v >= 0 && v < s.classes).toBe(true);
      } else {
        expect(d.train.y.shape).toEqual([d.train.rows, 1]);
        expect(d.task).toBe('regression');
      }
      // Every row of the table appears in exactly one split.
      const all = [...d.train.rowIndices, ...d.validation.rowIndices, ...d.test.rowIndices];
      expect(new Set(all).size).toBe(s.kept);
      const x = d.train.x.dataSync();
      expect(x).toEqual(d.train.xData);
      d.featureNames.forEach((name, j) => {
        const colValues = columnOf(x, s.width, j);
        const spec = d.preprocessor.features.find((f) => name.startsWith(f.column))!;
        if (spec.kind === 'numeric' || spec.kind === 'datetime') {
          const { mean, std } = meanStd(colValues);
          expect(Math.abs(mean)).toBeLessThan(1e-5);
          expect(Math.abs(std - 1)).toBeLessThan(1e-5);
        } else {
          for (const v of colValues) expect(v === 0 || v === 1).toBe(true);
        }
      });
    });
  }

  it('penguins one-hot blocks hold one 1 per row, imputed with the most frequent value', async () => {
    const d = prepareDataset(await parseSample('penguins.csv'), { target: 'Species', seed: 3 });
    expect(d.featureNames).toEqual([
      'Island=Biscoe',
      'Island=Dream',
      'Island=Torgersen',
      'Beak Length (mm)',
      'Beak Depth (mm)',
      'Flipper Length (mm)',
      'Body Mass (g)',
      ...d.featureNames.slice(7),
    ]);
    const x = d.train.xData;
    for (let i = 0; i < d.train.rows; i++) {
      expect(x[i * 9] + x[i * 9 + 1] + x[i * 9 + 2]).toBe(1);
    }
    const sex = d.preprocessor.features.find((f) => f.column === 'Sex')!;
    expect(sex.kind).toBe('categorical');
    expect(
      d.train.report.columns.Sex.imputed +
        d.validation.report.columns.Sex.imputed +
        d.test.report.columns.Sex.imputed,
    ).toBe(10);
  });

  it('cars: rows with a missing target are dropped, the year becomes one standardised part', async () => {
    const d = prepareDataset(await parseSample('cars.csv'), {
      target: 'Miles_per_Gallon',
      standardizeTarget: true,
    });
    expect(d.dropped).toEqual({ missingTarget: 8, missingValues: 0, droppedClasses: 0 });
    expect(d.warnings).toContain('8 rows dropped: the target "Miles_per_Gallon" is missing');
    expect(d.featureNames).toContain('Year (year)');
    expect(d.featureNames).not.toContain('Year (weekday)');
    expect(d.featureNames).not.toContain('Name');
    const y = Array.from(d.train.yData);
    expect(Math.abs(meanStd(y).mean)).toBeLessThan(1e-5);
    const raw = d.train.rowIndices[0];
    const mpg = Number(d.preprocessor.targetValue(d.train.yData[0]).toFixed(3));
    const column = (await parseSample('cars.csv')).columns[1];
    expect(mpg).toBeCloseTo(column.values[raw], 3);
  });
});

describe('splits', () => {
  it('stratified splits keep class proportions within one row per class', async () => {
    const table = tableFromRows(
      ['x', 'label'],
      Array.from({ length: 200 }, (_, i) => [i * 0.25, i < 140 ? 'common' : i < 180 ? 'middle' : 'rare']),
    );
    const d = prepareDataset(table, {
      target: 'label',
      split: { train: 0.6, validation: 0.2, test: 0.2 },
      seed: 11,
    });
    const counts = (y: Float32Array) => [0, 1, 2].map((k) => y.filter((v) => v === k).length);
    // classNames sorted: common, middle, rare
    expect(d.classNames).toEqual(['common', 'middle', 'rare']);
    expect(counts(d.train.yData)).toEqual([84, 24, 12]);
    expect(counts(d.validation.yData)).toEqual([28, 8, 4]);
    expect(counts(d.test.yData)).toEqual([28, 8, 4]);
  });

  it("stratifies by each kept row's own class when rows with no label are dropped in front", () => {
    // Table rows 0-9 have no label and are dropped, so kept row i is table row i + 10: a split that
    // read the classes by table row would shift every class by ten rows.
    const unlabelled = Array.from({ length: 10 }, (_, i) => [i, null]);
    const labelled = Array.from({ length: 200 }, (_, i) => [
      i * 0.25,
      i < 140 ? 'common' : i < 180 ? 'middle' : 'rare',
    ]);
    const d = prepareDataset(tableFromRows(['x', 'label'], [...unlabelled, ...labelled]), {
      target: 'label',
      split: { train: 0.6, validation: 0.2, test: 0.2 },
      seed: 11,
    });
    expect(d.dropped.missingTarget).toBe(10);
    const counts = (y: Float32Array) => [0, 1, 2].map((k) => y.filter((v) => v === k).length);
    expect(counts(d.train.yData)).toEqual([84, 24, 12]);
    expect(counts(d.validation.yData)).toEqual([28, 8, 4]);
    expect(counts(d.test.yData)).toEqual([28, 8, 4]);
  });

  it('the same seed gives the same split and tensors; another seed another split', async () => {
    const table = await parseSample('iris.csv');
    const a = prepareDataset(table, { target: 'species', seed: 5 });
    const b = prepareDataset(table, { target: 'species', seed: 5 });
    const c = prepareDataset(table, { target: 'species', seed: 6 });
    expect(b.train.rowIndices).toEqual(a.train.rowIndices);
    expect(b.train.xData).toEqual(a.train.xData);
    expect(b.test.yData).toEqual(a.test.yData);
    expect(c.train.rowIndices).not.toEqual(a.train.rowIndices);
  });

  it('an empty split is a [0, features] tensor', async () => {
    const d = prepareDataset(await parseSample('iris.csv'), {
      target: 'species',
      split: { train: 0.8, validation: 0, test: 0.2 },
    });
    expect(d.validation.rows).toBe(0);
    expect(d.validation.x.shape).toEqual([0, 4]);
    expect(d.validation.y.shape).toEqual([0]);
    expect(d.train.rows + d.test.rows).toBe(150);
    expect(d.test.rows).toBe(30);
  });

  it('rejects fractions that do not add up', async () => {
    const table = await parseSample('iris.csv');
    expect(() =>
      prepareDataset(table, { target: 'species', split: { train: 0.5, validation: 0.2, test: 0.2 } }),
    ).toThrow('split: train + validation + test must be 1, received 0.5 + 0.2 + 0.2 = 0.9');
  });
});

describe('Preprocessor', () => {
  it('JSON round trip gives identical transform output on new rows', async () => {
    const d = prepareDataset(await parseFixture('customers-quoted.csv'), { target: 'churned', seed: 1 });
    const json = JSON.parse(JSON.stringify(d.preprocessor.toJSON()));
    const restored = Preprocessor.fromJSON(json);
    expect(restored.featureNames).toEqual(d.preprocessor.featureNames);
    const fresh = await parseFixture('customers-quoted.csv');
    const a = d.preprocessor.encode(fresh);
    const b = restored.encode(fresh);
    expect(b.xData).toEqual(a.xData);
    expect(b.yData).toEqual(a.yData);
    expect(b.report).toEqual(a.report);
    // The rows in the training split encode exactly as prepareDataset encoded them.
    const again = restored.encode(fresh, { rows: d.train.rowIndices });
    expect(again.xData).toEqual(d.train.xData);
  });

  it('reports unseen categories (all zeros), stray text, and extra columns', async () => {
    const d = prepareDataset(await parseFixture('sensors-semicolon-bom-crlf.csv'), {
      target: 'Label',
      seed: 2,
    });
    const site = d.preprocessor.features.find((f) => f.column === 'Site')!;
    expect(site.kind).toBe('categorical');
    const width = d.inputSize;
    const newRows = tableFromRows(
      ['Site', 'Temperature (°C)', 'Humidity (%)', 'Date', 'Label', 'Operator'],
      [
        ['West field', '20,5', 'dry', '10/01/2023', 'ok', 'kim'],
        ['North field', '21', '40', '11/01/2023', 'faulty', 'lee'],
      ],
    );
    const t = d.preprocessor.transform(newRows);
    expect(t.x.shape).toEqual([2, width]);
    expect(t.report.extraColumns).toEqual(['Operator']);
    expect(t.report.columns.Site).toEqual({
      imputed: 0,
      invalid: 0,
      unseen: 1,
      unseenExamples: ['West field'],
    });
    expect(t.report.columns['Humidity (%)']).toMatchObject({ imputed: 1, invalid: 1 });
    const siteStart = d.featureNames.findIndex((n) => n.startsWith('Site='));
    const siteWidth = d.featureNames.filter((n) => n.startsWith('Site=')).length;
    const row0 = Array.from(t.xData.slice(siteStart, siteStart + siteWidth));
    expect(row0.every((v) => v === 0)).toBe(true);
    const row1 = Array.from(t.xData.slice(width + siteStart, width + siteStart + siteWidth));
    expect(row1.reduce((a, b) => a + b, 0)).toBe(1);
    expect(Array.from(t.yData!)).toEqual([d.classNames!.indexOf('ok'), d.classNames!.indexOf('faulty')]);
  });

  it('a missing feature column is an error unless imputation is asked for', async () => {
    const d = prepareDataset(await parseSample('iris.csv'), { target: 'species' });
    const partial = tableFromRows(
      ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)'],
      [[5, 3, 1.4]],
      'new.csv',
    );
    expect(() => d.preprocessor.transform(partial)).toThrow(
      'new.csv, column "petal width (cm)": the model needs column "petal width (cm)", absent from this table; ' +
        "pass onMissingColumn: 'impute' to fill them with their training values",
    );
    const t = d.preprocessor.transform(partial, { onMissingColumn: 'impute' });
    expect(t.report.missingColumns).toEqual(['petal width (cm)']);
    expect(t.y).toBeNull();
    expect(t.xData[3]).toBeCloseTo(0, 5); // the training mean standardises to 0
  });

  it('rejects JSON that is not a preprocessor', () => {
    expect(() => Preprocessor.fromJSON({ format: 'other' })).toThrow(
      '<preprocessor JSON>: expected format "webgpu-trainer/preprocessor", received "other"',
    );
    expect(() => Preprocessor.fromJSON({ format: 'webgpu-trainer/preprocessor', version: 2 })).toThrow(
      '<preprocessor JSON>: version 2 is not supported (expected 1)',
    );
  });

  it('one-hot labels from class-index y', async () => {
    const d = prepareDataset(await parseSample('iris.csv'), { target: 'species', seed: 4 });
    const oh = oneHotLabels(d.train.y, 3);
    expect(oh.shape).toEqual([d.train.rows, 3]);
    const rows = oh.dataSync();
    d.train.yData.forEach((k, i) => {
      expect(Array.from(rows.slice(i * 3, i * 3 + 3))).toEqual([0, 1, 2].map((j) => (j === k ? 1 : 0)));
    });
    expect(() => oneHotLabels([0, 3], 3)).toThrow('oneHotLabels: label 1 is 3, expected an integer in 0..2');
  });

  it('class labels: index -> name -> index is the identity', async () => {
    const d = prepareDataset(await parseSample('penguins.csv'), { target: 'Species' });
    const p = d.preprocessor;
    for (let k = 0; k < 3; k++) expect(d.classNames!.indexOf(p.className(k))).toBe(k);
    expect(() => p.className(3)).toThrow('class index 3 is not one of 0..2');
    // Encoding the names read from the table and decoding them gives the names back.
    const table = await parseSample('penguins.csv');
    const { yData } = p.encode(table);
    const species = table.columns[0];
    yData!.forEach((k, r) => {
      expect(p.className(k)).toBe(species.dict[species.values[r]]);
    });
  });
});

describe('missing-value strategies', () => {
  const rows = Array.from({ length: 40 }, (_, i) => [
    i % 5 === 0 ? 'NA' : i * 1.5,
    i % 7 === 0 ? null : ['a', 'b'][i % 2],
    i % 2 ? 'x' : 'y',
  ]);
  const table = tableFromRows(['size', 'cat', 'label'], rows, 'm.csv');

  it('indicator adds a 0/1 column; drop removes the rows', () => {
    const ind = prepareDataset(table, { target: 'label', missing: { numeric: 'indicator' } });
    expect(ind.featureNames).toEqual(['size', 'size (missing)', 'cat=a', 'cat=b']);
    const flags = [ind.train, ind.validation, ind.test].flatMap((s) => columnOf(s.xData, 4, 1));
    expect(flags.filter((v) => v === 1)).toHaveLength(8);
    const drop = prepareDataset(table, { target: 'label', missingByColumn: { cat: 'drop' } });
    expect(drop.dropped).toEqual({ missingTarget: 0, missingValues: 6, droppedClasses: 0 });
    expect(drop.train.rows + drop.validation.rows + drop.test.rows).toBe(34);
  });

  it('median imputation fills with the training median', () => {
    const d = prepareDataset(table, { target: 'label', missing: { numeric: 'median' } });
    const spec = d.preprocessor.features[0];
    expect(spec.kind).toBe('numeric');
    const trainNums = Array.from(d.train.rowIndices)
      .filter((r) => r % 5 !== 0)
      .map((r) => r * 1.5)
      .sort((a, b) => a - b);
    const m = trainNums.length >> 1;
    const median = trainNums.length % 2 ? trainNums[m] : (trainNums[m - 1] + trainNums[m]) / 2;
    expect(spec.kind === 'numeric' && spec.params.fill).toBe(median);
  });

  it('a strategy that does not fit the kind is refused', () => {
    expect(() => prepareDataset(table, { target: 'label', missingByColumn: { cat: 'mean' } })).toThrow(
      'm.csv, column "cat": missing-value strategy \'mean\' does not apply to a categorical column; use one of most-frequent, indicator, drop',
    );
  });
});

describe('dataset errors', () => {
  it('all rows dropped', () => {
    const t = tableFromRows(
      ['a', 'y'],
      [
        [null, 'p'],
        [null, 'q'],
        [1, 'NA'],
        [2, 'NA'],
      ],
      'drop.csv',
    );
    expect(() => prepareDataset(t, { target: 'y', missingByColumn: { a: 'drop' } })).toThrow(DataError);
    expect(() => prepareDataset(t, { target: 'y', missingByColumn: { a: 'drop' } })).toThrow(
      'drop.csv: all 4 rows were dropped: 2 for a missing target "y", 2 for missing values in columns with strategy \'drop\'',
    );
  });

  it('no usable feature column', () => {
    const t = tableFromRows(
      ['id', 'k', 'y'],
      Array.from({ length: 12 }, (_, i) => [`u${i}`, 'same', i % 2]),
      'f.csv',
    );
    expect(() => prepareDataset(t, { target: 'y' })).toThrow(
      'f.csv: no usable feature column ("id" identifier, "k" constant, "y" target)',
    );
  });

  it('a target that does not exist', () => {
    const t = tableFromRows(['a', 'b'], [[1, 2]], 't.csv');
    expect(() => prepareDataset(t, { target: 'c' })).toThrow(
      't.csv, column "c": target column does not exist; columns are: a, b',
    );
  });
});
