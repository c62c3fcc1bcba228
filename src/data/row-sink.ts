import type Papa from 'papaparse';
import { CsvError } from './errors';
import type { ParseCsvOptions } from './parse-options';
import { type CsvTable, TableBuilder, uniqueNames } from './table';
import { parseNumber } from './values';

/**
 * Row 1 is a header unless it holds a number, but for column numbers: fields that count up by one
 * from 0 or 1 (`0,1,…,63,label`), at least 4 of them, name columns rather than hold data.
 */
export function looksLikeHeader(fields: readonly string[]): boolean {
  const numbers = fields.map((f) => parseNumber(f.trim())).filter((n): n is number => n !== null);
  if (numbers.length === 0) return true;
  if (numbers.length < 4 || (numbers[0] !== 0 && numbers[0] !== 1)) return false;
  return numbers.every((n, i) => n === numbers[0] + i);
}

/** Receives Papa Parse's chunks: header detection, ragged-row checks, rows into the builder. */
export class RowSink {
  failure: CsvError | null = null;
  private builder: TableBuilder | null = null;
  private records = 0; // records seen, header included: record k is spreadsheet row k
  private width = 0;
  private hasHeader = false;
  private skipped = 0;
  private delimiter = ',';
  private linebreak = '\n';
  private readonly warnings: string[] = [];

  constructor(
    private readonly file: string,
    private readonly options: ParseCsvOptions,
  ) {}

  rows(): number {
    return this.builder?.rowCount ?? 0;
  }

  /** false when parsing must stop (the failure is kept). */
  take(results: Papa.ParseResult<string[]>): boolean {
    const before = this.records;
    this.delimiter = results.meta.delimiter;
    this.linebreak = results.meta.linebreak;
    for (const err of results.errors) {
      if (err.code === 'MissingQuotes') {
        this.failure = new CsvError(
          { file: this.file, row: before + (err.row ?? 0) + 1 },
          'a quoted field is never closed (a " without its closing ")',
        );
        return false;
      }
      if (err.code === 'InvalidQuotes') {
        this.warnings.push(
          `row ${before + (err.row ?? 0) + 1}: a quoted field has text after its closing quote`,
        );
      }
    }
    for (const fields of results.data) {
      this.records++;
      if (!this.addRecord(fields)) return false;
    }
    return true;
  }

  private addRecord(fields: string[]): boolean {
    if (this.builder === null) {
      // Leading lines of spaces are not a header; a file of only such lines is empty.
      if (fields.every((f) => f.trim() === '')) return true;
      this.startTable(fields);
      return true;
    }
    if (fields.length !== this.width) {
      if (this.options.onRaggedRow === 'skip') {
        this.skipped++;
        return true;
      }
      this.failure = new CsvError(
        { file: this.file, row: this.records },
        `row ${this.records} has ${fields.length} field${fields.length === 1 ? '' : 's'}, expected ${this.width} (as in row 1)`,
        { advice: "fix the row or pass { onRaggedRow: 'skip' }", remedy: { action: 'skip-ragged-rows' } },
      );
      return false;
    }
    this.builder.addRow(fields);
    return true;
  }

  private startTable(first: string[]): void {
    const header = this.options.header ?? 'auto';
    this.hasHeader = header === 'auto' ? looksLikeHeader(first) : header;
    this.width = first.length;
    if (this.hasHeader) {
      this.builder = new TableBuilder(uniqueNames(first, this.warnings));
    } else {
      this.builder = new TableBuilder(first.map((_, i) => `column ${i + 1}`));
      if (header === 'auto') this.warnings.push('row 1 holds numbers, so it was read as data, not a header');
      this.builder.addRow(first);
    }
  }

  finish(bytesRead: number, totalBytes: number): CsvTable {
    const builder = this.builder;
    if (builder === null || (bytesRead === 0 && totalBytes === 0)) {
      throw new CsvError({ file: this.file }, 'is empty: expected a header row and at least one data row');
    }
    if (builder.rowCount === 0) {
      throw new CsvError(
        { file: this.file },
        this.skipped > 0
          ? `every data row was skipped as ragged (${this.skipped} rows): expected ${this.width} fields`
          : 'has a header row but no data rows',
      );
    }
    if (this.skipped > 0) {
      this.warnings.push(`${this.skipped} ragged rows skipped (expected ${this.width} fields)`);
    }
    return {
      source: this.file,
      columns: builder.finishColumns({
        delimiter: this.delimiter,
        firstRow: this.hasHeader ? 2 : 1,
        warnings: this.warnings,
      }),
      rowCount: builder.rowCount,
      delimiter: this.delimiter,
      linebreak: this.linebreak,
      hasHeader: this.hasHeader,
      skippedRows: this.skipped,
      warnings: this.warnings,
      preview: builder.preview,
    };
  }
}
