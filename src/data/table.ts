/**
 * The parsed table, stored by column. A cell is a tag (empty, number, text) and a float64: the
 * number itself, or the index of its text in the column's dictionary. Nine bytes a cell whatever
 * the text length, repeated text stored once, and no per-cell strings, so a table built from a
 * 200 MB file is about the size of the file or smaller, and never a second copy of its text.
 * Plain data only (typed arrays, arrays, strings): it crosses a Worker boundary by structured clone.
 */
import { DEFAULT_MISSING_VALUES, parseNumber } from './values';

/** `1,234`, `-12,345,678.9`: a comma between every three digits of the integer part. */
const THOUSANDS = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
/** Written forms that cannot be a decimal comma: two separators, or a comma and a point. */
const UNAMBIGUOUS_THOUSANDS = /,\d{3},|,\d{3}\./;
const INFINITE_WORD = /^[+-]?(?:inf|infinity)$/i;
const DEFAULT_MISSING = new Set(DEFAULT_MISSING_VALUES);

/** Where finished columns' rows sit in the file, and where notes about them go. */
export interface FinishContext {
  /** The delimiter: in a file not split by commas, `1,100` is as likely a decimal comma. */
  delimiter: string;
  /** Spreadsheet row of data row 0 (2 below a header). */
  firstRow: number;
  warnings: string[];
}

export const CELL_EMPTY = 0;
export const CELL_NUMBER = 1;
export const CELL_TEXT = 2;

export interface TableColumn {
  name: string;
  /** CELL_EMPTY, CELL_NUMBER or CELL_TEXT per row. */
  tags: Uint8Array;
  /** The number, or the index into `dict` for text cells. */
  values: Float64Array;
  /** Distinct texts in order of first appearance, and how many cells hold each. */
  dict: string[];
  dictCounts: number[];
}

export interface CsvTable {
  /** File name, or `<string>` for text passed directly: error messages name it. */
  source: string;
  columns: TableColumn[];
  rowCount: number;
  delimiter: string;
  linebreak: string;
  hasHeader: boolean;
  /** Rows left out (ragged rows with `onRaggedRow: 'skip'`). */
  skippedRows: number;
  warnings: string[];
  /** The first rows as text, for display. */
  preview: string[][];
}

export const PREVIEW_ROWS = 20;

/** Text of a cell as the file wrote it (numbers re-printed), or null for an empty cell. */
export function cellText(column: TableColumn, row: number): string | null {
  const tag = column.tags[row];
  if (tag === CELL_EMPTY) return null;
  const v = column.values[row];
  return tag === CELL_NUMBER ? String(v) : column.dict[v];
}

export function columnNames(table: CsvTable): string[] {
  return table.columns.map((c) => c.name);
}

/** Row `i` as text cells (null when empty). */
export function tableRow(table: CsvTable, i: number): (string | null)[] {
  return table.columns.map((c) => cellText(c, i));
}

/** Column names from a header: trimmed, blanks named by position, duplicates numbered. */
export function uniqueNames(raw: readonly string[], warnings: string[]): string[] {
  const seen = new Set<string>();
  return raw.map((r, i) => {
    let name = r.trim();
    if (name === '') {
      name = `column ${i + 1}`;
      warnings.push(`header field ${i + 1} is blank; named it "${name}"`);
    }
    if (seen.has(name)) {
      let k = 2;
      while (seen.has(`${name} (${k})`)) k++;
      warnings.push(`header "${name}" appears more than once; column ${i + 1} renamed "${name} (${k})"`);
      name = `${name} (${k})`;
    }
    seen.add(name);
    return name;
  });
}

class ColumnBuilder {
  tags = new Uint8Array(1024);
  values = new Float64Array(1024);
  readonly dict: string[] = [];
  readonly dictCounts: number[] = [];
  private readonly index = new Map<string, number>();
  /** Largest |number| seen: thousands separators are read only when no bare number reaches 1000. */
  private maxAbsNumber = 0;
  /** Numbers beyond float64 (1e309) or written as infinity: left empty, counted, first one kept. */
  private overflow = { count: 0, firstRow: -1, text: '' };

  push(row: number, raw: string): void {
    if (row >= this.tags.length) this.grow();
    const text = raw.trim();
    if (text === '') return; // tags start at CELL_EMPTY
    const n = parseNumber(text);
    if (n !== null && Number.isFinite(n)) {
      this.tags[row] = CELL_NUMBER;
      this.values[row] = n;
      if (Math.abs(n) > this.maxAbsNumber) this.maxAbsNumber = Math.abs(n);
      return;
    }
    if (n !== null || INFINITE_WORD.test(text)) {
      if (this.overflow.count++ === 0) this.overflow = { count: 1, firstRow: row, text };
      return;
    }
    let code = this.index.get(text);
    if (code === undefined) {
      code = this.dict.length;
      // Papa Parse hands out substrings of its chunk; in V8 those pin the whole chunk. Kept texts
      // are copied through a flattened concatenation so a chunk is freed once it is parsed.
      const own = text.length > 12 ? ` ${text}`.slice(1) : text;
      this.index.set(own, code);
      this.dict.push(own);
      this.dictCounts.push(0);
    }
    this.dictCounts[code]++;
    this.tags[row] = CELL_TEXT;
    this.values[row] = code;
  }

  /**
   * Reads `1,100` as 1100 when the whole column is written that way: every text is a number with
   * thousands separators (or a missing-value word), no bare number reaches 1000, and, outside
   * comma-separated files, at least one value cannot be a decimal comma. Returns how many cells.
   */
  private readThousands(rows: number, delimiter: string): { cells: number; example: string } | null {
    const live = this.dict.filter((_, code) => this.dictCounts[code] > 0);
    const grouped = live.filter((t) => THOUSANDS.test(t));
    if (grouped.length === 0 || this.maxAbsNumber >= 1000) return null;
    if (!live.every((t) => THOUSANDS.test(t) || DEFAULT_MISSING.has(t.toLowerCase()))) return null;
    if (delimiter !== ',' && !grouped.some((t) => UNAMBIGUOUS_THOUSANDS.test(t))) return null;
    const asNumber = this.dict.map((t) => (THOUSANDS.test(t) ? Number(t.replaceAll(',', '')) : null));
    let cells = 0;
    for (let r = 0; r < rows; r++) {
      if (this.tags[r] !== CELL_TEXT) continue;
      const v = asNumber[this.values[r]];
      if (v === null) continue;
      this.tags[r] = CELL_NUMBER;
      this.values[r] = v;
      cells++;
    }
    asNumber.forEach((v, code) => {
      if (v !== null) this.dictCounts[code] = 0;
    });
    return { cells, example: grouped[0] };
  }

  /** Notes for the table's warnings about what this column's cells did not keep as written. */
  settle(name: string, rows: number, at: FinishContext): void {
    const thousands = this.readThousands(rows, at.delimiter);
    if (thousands) {
      const v = Number(thousands.example.replaceAll(',', ''));
      at.warnings.push(
        `column "${name}": ${thousands.cells} numbers written with thousands separators, read as such ("${thousands.example}" as ${v})`,
      );
    }
    const o = this.overflow;
    if (o.count > 0) {
      at.warnings.push(
        `column "${name}": ${o.count} number${o.count === 1 ? '' : 's'} too large for a float64 or infinite, read as missing (first: row ${o.firstRow + at.firstRow}, "${o.text}")`,
      );
    }
  }

  // Growing by half (not doubling) keeps the unused tail of a column under a third of it.
  private grow(): void {
    const size = Math.ceil(this.tags.length * 1.5);
    const tags = new Uint8Array(size);
    tags.set(this.tags);
    this.tags = tags;
    const values = new Float64Array(size);
    values.set(this.values);
    this.values = values;
  }

  finish(name: string, rows: number): TableColumn {
    return {
      name,
      tags: this.tags.slice(0, rows),
      values: this.values.slice(0, rows),
      dict: this.dict,
      dictCounts: this.dictCounts,
    };
  }
}

/** Collects rows of text fields into columns. Fields beyond the header width are ignored. */
export class TableBuilder {
  private readonly builders: ColumnBuilder[];
  rowCount = 0;
  readonly preview: string[][] = [];

  constructor(readonly names: readonly string[]) {
    this.builders = names.map(() => new ColumnBuilder());
  }

  addRow(fields: readonly string[]): void {
    const row = this.rowCount++;
    for (let c = 0; c < this.builders.length; c++) this.builders[c].push(row, fields[c] ?? '');
    if (this.preview.length < PREVIEW_ROWS) this.preview.push(this.names.map((_, c) => fields[c] ?? ''));
  }

  finishColumns(at: FinishContext): TableColumn[] {
    return this.builders.map((b, c) => {
      b.settle(this.names[c], this.rowCount, at);
      return b.finish(this.names[c], this.rowCount);
    });
  }
}

/**
 * A table from values already in memory (a form, JSON rows, a test). null/undefined are empty
 * cells; numbers and strings are read exactly as the CSV reader reads text.
 */
export function tableFromRows(
  names: readonly string[],
  rows: readonly (readonly (string | number | boolean | null | undefined)[])[],
  source = '<rows>',
): CsvTable {
  const warnings: string[] = [];
  const builder = new TableBuilder(uniqueNames(names, warnings));
  for (const r of rows) builder.addRow(r.map((v) => (v === null || v === undefined ? '' : String(v))));
  return {
    source,
    columns: builder.finishColumns({ delimiter: ',', firstRow: 2, warnings }),
    rowCount: builder.rowCount,
    delimiter: ',',
    linebreak: '\n',
    hasHeader: true,
    skippedRows: 0,
    warnings,
    preview: builder.preview,
  };
}
