/**
 * The exported module's preprocessing (src/export/pytorch_preprocess.py) encodes a raw CSV as the
 * library does: missing values (imputed, and an indicator column), text and integer categories
 * (one-hot, an unseen one all zeros), booleans, dates with times and offsets (their parts
 * standardised). `python3 model.py weights.safetensors raw.csv` then predicts from the raw table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportPytorch } from '../../src/export/pytorch';
import { Adam, Dense, parseCsv, prepareDataset, Random, Sequential } from '../../src/index';
import { exportModelWeights } from '../../src/io/model-io';
import { numpyMissing, runPython, tempDir, writeFiles } from './python';

if (numpyMissing) console.warn(`test/export/pytorch-preprocess.test.ts skipped: ${numpyMissing}`);

const ISLANDS = ['Biscoe', 'Dream', 'Torgersen'];

/** 60 rows: every kind of column, with NA and blank cells, and rows whose categories training never saw. */
function rawCsv(): string {
  const rng = new Random(5);
  const lines = ['id note,island,grade,mass_g,smoker,measured,ratio,species'];
  for (let i = 0; i < 60; i++) {
    const island = i % 17 === 3 ? '' : ISLANDS[rng.int(3)];
    const grade = i % 13 === 5 ? 'NA' : String(1 + rng.int(3));
    const mass = i % 11 === 2 ? 'NA' : (3000 + rng.uniform() * 2000).toFixed(1);
    const smoker = i % 19 === 7 ? '?' : rng.uniform() < 0.5 ? 'yes' : 'no';
    const day = 1 + rng.int(28);
    const month = 1 + rng.int(12);
    const hour = rng.int(24);
    const date =
      i % 10 === 4
        ? 'NA'
        : `20${10 + rng.int(12)}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` +
          (i % 3 === 0 ? ` ${hour}:${String(rng.int(60)).padStart(2, '0')}:07.25+02:00` : '');
    const ratio = i % 9 === 1 ? '' : (rng.uniform() * 2 - 1).toExponential(3);
    const species = ['Adelie', 'Gentoo', 'Chinstrap'][rng.int(3)];
    lines.push([`"row ${i}, quoted"`, island, grade, mass, smoker, date, ratio, species].join(','));
  }
  return `${lines.join('\n')}\n`;
}

describe.skipIf(numpyMissing !== null)('the PyTorch module preprocesses a raw CSV as the page does', () => {
  it('features equal the library preprocessor to 1e-6, and predictions from the raw CSV equal predict', async () => {
    const text = rawCsv();
    const table = await parseCsv(text, { fileName: 'raw.csv' });
    const dataset = prepareDataset(table, {
      target: 'species',
      seed: 2,
      missingByColumn: { mass_g: 'indicator', ratio: 'median' },
    });
    const kinds = dataset.preprocessor.features.map((f) => f.kind);
    expect(kinds).toEqual(expect.arrayContaining(['categorical', 'numeric', 'boolean', 'datetime']));
    expect(dataset.featureNames).toContain('mass_g (missing)');
    // Encoded over every row of the file (the training split fitted it), as the script does.
    const all = dataset.preprocessor.encode(table);
    const model = new Sequential({
      seed: 1,
      layers: [new Dense({ units: 3, activation: 'softmax', inputShape: [dataset.inputSize] })],
    });
    model.compile({ optimizer: new Adam(), loss: 'sparseCategoricalCrossentropy' });
    const dir = tempDir();
    writeFiles(dir, {
      'model.py': exportPytorch(model),
      'weights.safetensors': await exportModelWeights(model, {
        metadata: { preprocessing: JSON.stringify(dataset.preprocessor.toJSON()) },
      }),
      'raw.csv': text,
    });
    const { stdout } = runPython(
      ['model.py', 'weights.safetensors', 'raw.csv', '--features-out', 'f.csv'],
      dir,
    );
    const [header, ...rows] = readFileSync(join(dir, 'f.csv'), 'utf8').trim().split('\n');
    expect(header.split(',').length).toBe(dataset.inputSize);
    const theirs = rows.flatMap((r) => r.split(',').map(Number));
    expect(theirs.length).toBe(all.xData.length);
    let worst = 0;
    for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(theirs[i] - all.xData[i]));
    console.info(
      `raw CSV preprocessing: largest |Python - library| over ${theirs.length} features: ${worst}`,
    );
    expect(worst).toBeLessThan(1e-6);
    const outputs = stdout
      .trim()
      .split('\n')
      .slice(1)
      .flatMap((l) => l.split(',').map(Number));
    const expected = await (await model.predict({ data: all.xData, shape: [60, dataset.inputSize] })).data();
    let worstOut = 0;
    for (let i = 0; i < expected.length; i++)
      worstOut = Math.max(worstOut, Math.abs(outputs[i] - expected[i]));
    expect(worstOut).toBeLessThan(1e-5);
  });
});
