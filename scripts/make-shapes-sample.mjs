// Writes public/samples/shapes-8x8.csv: 8x8 grayscale images of four shapes (horizontal bar,
// vertical bar, plus sign, square outline) at random places, with Gaussian noise. Synthetic, seeded,
// reproducible: `node scripts/make-shapes-sample.mjs`. It gives the CNN preset image-shaped rows.
// Never run at install time; the CSV is committed.
import { writeFileSync } from 'node:fs';

// A small seeded generator (mulberry32) so the file is the same on every run.
let state = 20261124;
function uniform() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo, hi) => lo + Math.floor(uniform() * (hi - lo + 1));
const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());

const SIZE = 8;
const shapes = {
  'horizontal bar': (img) => {
    const r = int(0, 7);
    const len = int(4, 7);
    const c0 = int(0, SIZE - len);
    for (let c = c0; c < c0 + len; c++) img[r][c] = 1;
  },
  'vertical bar': (img) => {
    const c = int(0, 7);
    const len = int(4, 7);
    const r0 = int(0, SIZE - len);
    for (let r = r0; r < r0 + len; r++) img[r][c] = 1;
  },
  plus: (img) => {
    const r = int(2, 5);
    const c = int(2, 5);
    for (let d = -2; d <= 2; d++) {
      img[r + d][c] = 1;
      img[r][c + d] = 1;
    }
  },
  square: (img) => {
    const s = int(3, 5);
    const r0 = int(0, SIZE - s);
    const c0 = int(0, SIZE - s);
    for (let i = 0; i < s; i++) {
      img[r0][c0 + i] = img[r0 + s - 1][c0 + i] = 1;
      img[r0 + i][c0] = img[r0 + i][c0 + s - 1] = 1;
    }
  },
};

const header = [];
for (let r = 0; r < SIZE; r++) for (let c = 0; c < SIZE; c++) header.push(`p${r}${c}`);
const lines = [[...header, 'shape'].join(',')];
const names = Object.keys(shapes);
for (let i = 0; i < 800; i++) {
  const name = names[i % names.length];
  const img = Array.from({ length: SIZE }, () => new Array(SIZE).fill(0));
  shapes[name](img);
  const intensity = 0.7 + 0.3 * uniform();
  const pixels = img.flat().map((v) => Math.min(1, Math.max(0, v * intensity + 0.12 * normal())).toFixed(2));
  lines.push([...pixels, name].join(','));
}
writeFileSync('public/samples/shapes-8x8.csv', `${lines.join('\n')}\n`);
console.log(`wrote public/samples/shapes-8x8.csv (${lines.length - 1} rows)`);
