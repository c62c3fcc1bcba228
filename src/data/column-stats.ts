/**
 * One pass over a column: how many cells are missing, numbers or text, how many distinct values,
 * whether the numbers are integers. Text questions (dates, booleans, decimal commas) are asked of
 * the column's dictionary, once per distinct text, never once per row.
 */
import { CELL_NUMBER, CELL_TEXT, type TableColumn } from './table';

export interface ColumnStats {
  rows: number;
  missing: number;
  numbers: number;
  /** Non-missing text cells. */
  texts: number;
  distinctNumbers: number;
  /** Distinct non-missing texts (dictionary entries in use). */
  textValues: string[];
  textCounts: number[];
  allIntegers: boolean;
  min: number;
  max: number;
}

export function columnStats(column: TableColumn, rows: number, missing: ReadonlySet<string>): ColumnStats {
  const isMissingCode = column.dict.map((t) => missing.has(t.toLowerCase()));
  const textValues: string[] = [];
  const textCounts: number[] = [];
  column.dict.forEach((t, code) => {
    if (!isMissingCode[code] && column.dictCounts[code] > 0) {
      textValues.push(t);
      textCounts.push(column.dictCounts[code]);
    }
  });
  const seen = new Set<number>();
  let numbers = 0;
  let texts = 0;
  let allIntegers = true;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let r = 0; r < rows; r++) {
    const tag = column.tags[r];
    if (tag === CELL_NUMBER) {
      const v = column.values[r];
      numbers++;
      seen.add(v);
      if (!Number.isInteger(v)) allIntegers = false;
      if (v < min) min = v;
      if (v > max) max = v;
    } else if (tag === CELL_TEXT && !isMissingCode[column.values[r]]) {
      texts++;
    }
  }
  return {
    rows,
    missing: rows - numbers - texts,
    numbers,
    texts,
    distinctNumbers: seen.size,
    textValues,
    textCounts,
    allIntegers,
    min,
    max,
  };
}

/** Rows (0-based) of the first cell of a text whose code passes `pick`, and how many such cells. */
export function findTextCells(
  column: TableColumn,
  rows: number,
  pick: (code: number) => boolean,
): { count: number; first: number; example: string } | null {
  let count = 0;
  let first = -1;
  for (let r = 0; r < rows; r++) {
    if (column.tags[r] === CELL_TEXT && pick(column.values[r])) {
      if (first < 0) first = r;
      count++;
    }
  }
  return first < 0 ? null : { count, first, example: column.dict[column.values[first]] };
}
