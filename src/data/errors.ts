import { WebGPUTrainerError } from '../errors';

/** Where a problem sits in a CSV file. Rows are numbered as in a spreadsheet: the header is row 1. */
export interface CsvLocation {
  file: string;
  row?: number;
  column?: string;
}

function where(loc: CsvLocation): string {
  const parts = [loc.file];
  if (loc.row !== undefined) parts.push(`row ${loc.row}`);
  if (loc.column !== undefined) parts.push(`column "${loc.column}"`);
  return parts.join(', ');
}

/**
 * What CsvError and DataError share: a message that starts with where the problem sits, and that
 * place as fields. Abstract, so every error thrown is one of the two.
 */
export abstract class CsvLocatedError extends WebGPUTrainerError {
  readonly file: string;
  readonly row: number | undefined;
  readonly column: string | undefined;

  constructor(loc: CsvLocation, problem: string) {
    super(`${where(loc)}: ${problem}`);
    this.file = loc.file;
    this.row = loc.row;
    this.column = loc.column;
  }
}

/**
 * The file itself cannot be read as a table: empty, binary, not UTF-8, too large, ragged rows.
 * The message starts with the file name (and row/column where one is known).
 */
export class CsvError extends CsvLocatedError {
  // Spelled out: minified builds rename classes, and new.target.name with them.
  override name = 'CsvError';
}

/**
 * The table parsed but cannot become a dataset: unknown target, one class, no feature column,
 * every row dropped, a column missing at prediction time.
 */
export class DataError extends CsvLocatedError {
  override name = 'DataError';
}
