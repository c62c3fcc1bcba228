// Writes test/fixtures/seeds-label-first.csv: a table whose label is its first column, as many
// public tables have it (a species, a variety, a diagnosis), with a junk class "." in one row.
// Three wheat varieties, seven kernel measurements each drawn around its variety's mean, and a
// last column that is a plain measurement (so "the last column" is the wrong default).
// Synthetic, seeded, reproducible: `node scripts/make-seeds-fixture.mjs`; the CSV is committed.
import { writeFileSync } from 'node:fs';

let state = 20261208;
function uniform() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());

const VARIETIES = {
  Kama: [14.3, 14.3, 0.88, 5.5, 3.2, 2.7, 5.1],
  Rosa: [18.3, 16.1, 0.88, 6.1, 3.7, 3.6, 6.0],
  Canadian: [11.9, 13.2, 0.85, 5.2, 2.9, 4.8, 5.1],
};
const header = [
  'variety',
  'area',
  'perimeter',
  'compactness',
  'length',
  'width',
  'asymmetry',
  'groove length',
];
const lines = [header.join(',')];
const names = Object.keys(VARIETIES);
for (let i = 0; i < 210; i++) {
  const name = names[i % 3];
  const values = VARIETIES[name].map((m) => (m * (1 + 0.05 * normal())).toFixed(3));
  // Row 38 (spreadsheet row 39): a data-entry slip, as in the penguins table's Sex column.
  lines.push([i === 37 ? '.' : name, ...values].join(','));
}
writeFileSync('test/fixtures/seeds-label-first.csv', `${lines.join('\n')}\n`);
console.log(`wrote test/fixtures/seeds-label-first.csv (${lines.length - 1} rows)`);
