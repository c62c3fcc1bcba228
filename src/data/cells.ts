/**
 * Reading a column's cells under a decided kind. Per-text work (missing token? a decimal comma?
 * a date?) is done once per dictionary entry, so reading a million rows is an array lookup each.
 */
import { CELL_NUMBER, CELL_TEXT, type TableColumn } from './table';
import { type DateFormat, parseDate, parseDecimalComma } from './values';

export class CellReader {
  private readonly missingCode: Uint8Array;

  constructor(
    readonly column: TableColumn,
    missing: ReadonlySet<string>,
  ) {
    this.missingCode = Uint8Array.from(column.dict, (t) => (missing.has(t.toLowerCase()) ? 1 : 0));
  }

  isMissing(row: number): boolean {
    const tag = this.column.tags[row];
    return tag === CELL_TEXT ? this.missingCode[this.column.values[row]] === 1 : tag !== CELL_NUMBER;
  }

  /** The value as a category name; null when missing. Numbers print as JavaScript prints them. */
  key(row: number): string | null {
    const tag = this.column.tags[row];
    if (tag === CELL_NUMBER) return String(this.column.values[row]);
    if (tag !== CELL_TEXT) return null;
    const code = this.column.values[row];
    return this.missingCode[code] === 1 ? null : this.column.dict[code];
  }

  /** Per row: a number, or NaN when missing or not a number (`invalid` tells which). */
  numbers(decimalComma: boolean): { values: Float64Array; invalid: Uint8Array } {
    const fromText = this.column.dict.map((t) =>
      decimalComma ? (parseDecimalComma(t) ?? Number.NaN) : Number.NaN,
    );
    return this.read((v) => v, fromText);
  }

  /** Per row: milliseconds since 1970, or NaN when missing or not a date in `format`. */
  dates(format: DateFormat): { values: Float64Array; invalid: Uint8Array } {
    const fromText = this.column.dict.map((t) => parseDate(t, format) ?? Number.NaN);
    return this.read(() => Number.NaN, fromText);
  }

  private read(
    fromNumber: (v: number) => number,
    fromText: number[],
  ): { values: Float64Array; invalid: Uint8Array } {
    const { tags, values: cells } = this.column;
    const n = tags.length;
    const values = new Float64Array(n);
    const invalid = new Uint8Array(n);
    for (let r = 0; r < n; r++) {
      const tag = tags[r];
      let v = Number.NaN;
      if (tag === CELL_NUMBER) v = fromNumber(cells[r]);
      else if (tag === CELL_TEXT && this.missingCode[cells[r]] === 0) v = fromText[cells[r]];
      else {
        values[r] = Number.NaN;
        continue;
      }
      values[r] = v;
      if (Number.isNaN(v)) invalid[r] = 1;
    }
    return { values, invalid };
  }
}

/** Distinct keys in a stable order: numerically when all are numbers, else by code unit. */
export function sortKeys(keys: Iterable<string>): string[] {
  const list = [...new Set(keys)];
  const allNumbers = list.every((k) => k.trim() !== '' && Number.isFinite(Number(k)));
  return allNumbers ? list.sort((a, b) => Number(a) - Number(b)) : list.sort();
}
