// Writes test/fixtures/digits-8x8.csv: 8x8 images of the digits 0-9 as 64 integer pixel columns
// (`pixel_0` … `pixel_63`, row-major, values 0..16 like scikit-learn's digits) and a `digit`
// column. The first and last image columns are blank in every row, so 16 pixel columns are
// constant, and pixels at the glyphs' edges take few values: judged one by one, such a table
// falls apart into numbers, categories, booleans and excluded constants. Synthetic, seeded,
// reproducible (`node scripts/make-digits-fixture.mjs`); the CSV is committed, never generated
// at install time.
import { writeFileSync } from 'node:fs';

// mulberry32, as in make-shapes-sample.mjs, so the file is the same on every run.
let state = 20261207;
function uniform() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo, hi) => lo + Math.floor(uniform() * (hi - lo + 1));

// 6 columns x 8 rows per digit; '#' is ink. Drawn in image columns 1..6, so columns 0 and 7 stay 0.
const GLYPHS = {
  0: [' #### ', '##  ##', '##  ##', '##  ##', '##  ##', '##  ##', '##  ##', ' #### '],
  1: ['  ##  ', ' ###  ', '  ##  ', '  ##  ', '  ##  ', '  ##  ', '  ##  ', ' #### '],
  2: [' #### ', '##  ##', '    ##', '   ## ', '  ##  ', ' ##   ', '##    ', '######'],
  3: [' #### ', '##  ##', '    ##', '  ### ', '    ##', '    ##', '##  ##', ' #### '],
  4: ['   ## ', '  ### ', ' # ## ', '#  ## ', '######', '   ## ', '   ## ', '   ## '],
  5: ['######', '##    ', '##    ', '##### ', '    ##', '    ##', '##  ##', ' #### '],
  6: [' #### ', '##    ', '##    ', '##### ', '##  ##', '##  ##', '##  ##', ' #### '],
  7: ['######', '    ##', '   ## ', '   ## ', '  ##  ', '  ##  ', ' ##   ', ' ##   '],
  8: [' #### ', '##  ##', '##  ##', ' #### ', '##  ##', '##  ##', '##  ##', ' #### '],
  9: [' #### ', '##  ##', '##  ##', ' #####', '    ##', '    ##', '    ##', ' #### '],
};

const SIZE = 8;
const ROWS = 600;
const header = [...Array.from({ length: SIZE * SIZE }, (_, i) => `pixel_${i}`), 'digit'];
const lines = [header.join(',')];
for (let n = 0; n < ROWS; n++) {
  const digit = n % 10;
  const glyph = GLYPHS[digit];
  const pixels = [];
  for (let r = 0; r < SIZE; r++) {
    for (let c = 0; c < SIZE; c++) {
      const ink = c >= 1 && c <= 6 && glyph[r][c - 1] === '#';
      // Ink is bright but uneven; faint smudges on the paper (some spots only ever a faint 1);
      // the border stays blank.
      const smudge = (r + c) % 3 === 0 ? 1 : int(1, 3);
      let v = ink ? int(9, 16) : uniform() < 0.04 ? smudge : 0;
      if (c === 0 || c === SIZE - 1) v = 0;
      // A pen that skips now and then.
      if (ink && uniform() < 0.06) v = int(0, 4);
      pixels.push(v);
    }
  }
  lines.push([...pixels, digit].join(','));
}
writeFileSync('test/fixtures/digits-8x8.csv', `${lines.join('\n')}\n`);
console.log(`wrote test/fixtures/digits-8x8.csv (${ROWS} rows)`);
