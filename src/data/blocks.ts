/**
 * Column blocks: a run of neighbouring number columns with the same name but for their digits
 * (`pixel_0` … `pixel_63`, `p00` … `p77`, `1x1` … `28x28`, `column 1` … `column 64`) whose values
 * share one range. Such a run is one measurement repeated (pixels, time steps, bands), so its
 * columns are judged together: all numeric, constant ones kept (they encode as zeros), none a
 * category or a boolean. A block whose length is a square (or h x w from two digit groups in
 * the names, or 3 x a square for RGB) is image-shaped.
 */
import type { ColumnStats } from './column-stats';

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

export interface ColumnBlock {
  /** Indices of the block's columns in the table, consecutive. */
  columns: number[];
  /** The shared name pattern, digits written as `#` (`pixel_#`). */
  pattern: string;
  first: string;
  last: string;
  min: number;
  max: number;
  integers: boolean;
  /** Columns with one value in every row (kept, so the block keeps its shape). */
  constant: number;
  image: ImageShape | null;
  /** Why these columns are one block, in words for the page. */
  reason: string;
}

/** Fewer neighbours than this are just similar names (`x1`, `x2`), not a block. */
export const MIN_BLOCK_COLUMNS = 8;

const DIGITS = /\d+/g;

function patternOf(name: string): string | null {
  const p = name.trim().replace(DIGITS, '#');
  return p.includes('#') ? p : null;
}

function numbersOnly(s: ColumnStats): boolean {
  return s.texts === 0 && s.numbers > 0;
}

/**
 * Blocks among the columns, left to right. `skip` holds column indices that never join one (the
 * target): a run broken by the target is two runs.
 */
export function findBlocks(
  names: readonly string[],
  stats: readonly ColumnStats[],
  skip: ReadonlySet<number> = new Set(),
): ColumnBlock[] {
  const blocks: ColumnBlock[] = [];
  let run: number[] = [];
  let runPattern: string | null = null;
  const close = () => {
    const block = run.length >= MIN_BLOCK_COLUMNS ? blockOf(run, runPattern!, names, stats) : null;
    if (block) blocks.push(block);
    run = [];
    runPattern = null;
  };
  names.forEach((name, i) => {
    const pattern = skip.has(i) || !numbersOnly(stats[i]) ? null : patternOf(name);
    if (pattern === null || pattern !== runPattern) close();
    if (pattern !== null) {
      run.push(i);
      runPattern = pattern;
    }
  });
  close();
  return blocks;
}

function blockOf(
  run: number[],
  pattern: string,
  names: readonly string[],
  stats: readonly ColumnStats[],
): ColumnBlock | null {
  const members = run.map((i) => stats[i]);
  const min = Math.min(...members.map((s) => s.min));
  const max = Math.max(...members.map((s) => s.max));
  const span = max - min;
  if (!(span > 0)) return null;
  // One range: most varying columns reach across at least half of the block's range. Pixels near
  // an image's border vary less, so this asks it of half of them, not all.
  const varying = members.filter((s) => s.max > s.min);
  const wide = varying.filter((s) => s.max - s.min >= span / 2).length;
  if (wide * 2 < varying.length) return null;
  const integers = members.every((s) => s.allIntegers);
  const image = imageShape(run.map((i) => names[i]));
  const first = names[run[0]];
  const last = names[run[run.length - 1]];
  const range = `${integers ? 'integers' : 'numbers'} ${fmt(min)}..${fmt(max)}`;
  const shape = image
    ? `; an ${image.height}×${image.width}${image.channels > 1 ? `×${image.channels}` : ''} image`
    : '';
  return {
    columns: run,
    pattern,
    first,
    last,
    min,
    max,
    integers,
    constant: members.length - varying.length,
    image,
    reason: `${run.length} neighbouring columns named alike (${pattern.replace(/#/g, 'N')}), holding ${range}: read together as one numeric block${shape}`,
  };
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
}

function isSquare(n: number): number | null {
  const s = Math.round(Math.sqrt(n));
  return s * s === n && s >= 4 ? s : null;
}

/** The image a block's columns form, from two digit groups in the names or a square count. */
export function imageShape(names: readonly string[]): ImageShape | null {
  const n = names.length;
  const groups = names.map((name) => name.match(DIGITS)?.map(Number) ?? []);
  if (groups.every((g) => g.length === 2)) {
    const rows = new Set(groups.map((g) => g[0])).size;
    const cols = new Set(groups.map((g) => g[1])).size;
    // Row-major order: the second number moves fastest.
    const rowMajor = groups.length < 2 || groups[0][0] === groups[1][0];
    if (rows * cols === n && rows >= 2 && cols >= 2 && rowMajor) {
      return { height: rows, width: cols, channels: 1 };
    }
  }
  const side = isSquare(n);
  if (side) return { height: side, width: side, channels: 1 };
  const rgb = n % 3 === 0 ? isSquare(n / 3) : null;
  return rgb ? { height: rgb, width: rgb, channels: 3 } : null;
}
