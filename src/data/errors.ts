import { WebGPUTrainerError } from '../errors';

/** Where a problem sits in a CSV file. Rows are numbered as in a spreadsheet: the header is row 1. */
export interface CsvLocation {
  file: string;
  row?: number;
  column?: string;
}

/**
 * What the caller can do about an error, as data: a page offers it as a button or a choice, and
 * re-runs the call with the option it names.
 */
export type Remedy =
  /** Re-parse with `onRaggedRow: 'skip'`. */
  | { action: 'skip-ragged-rows' }
  /** Re-parse with one of these `encoding`s. */
  | { action: 'choose-encoding'; encodings: readonly string[] }
  /** Encode again with `onMissingColumn: 'impute'`. */
  | { action: 'impute-missing-columns'; columns: readonly string[] };

/** Text encodings a file that is not UTF-8 is likely to be in, with words for a person. */
export const COMMON_ENCODINGS: readonly { encoding: string; label: string }[] = [
  { encoding: 'windows-1252', label: 'Western European (Windows-1252 / Latin-1)' },
  { encoding: 'iso-8859-2', label: 'Central European (ISO-8859-2)' },
  { encoding: 'windows-1251', label: 'Cyrillic (Windows-1251)' },
  { encoding: 'iso-8859-7', label: 'Greek (ISO-8859-7)' },
  { encoding: 'shift_jis', label: 'Japanese (Shift JIS)' },
  { encoding: 'gbk', label: 'Chinese, simplified (GBK)' },
  { encoding: 'big5', label: 'Chinese, traditional (Big5)' },
  { encoding: 'euc-kr', label: 'Korean (EUC-KR)' },
  { encoding: 'utf-16le', label: 'UTF-16, little-endian' },
  { encoding: 'utf-16be', label: 'UTF-16, big-endian' },
];

/** What a library caller can pass, besides the problem: the option, in code. The page shows `plain`. */
export interface ErrorHelp {
  advice?: string;
  remedy?: Remedy;
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
  /** Where and what, without advice in code (`pass { … }`): the words a page shows. */
  readonly plain: string;
  /** The option that gets past the problem, for a page to offer; null when there is none. */
  readonly remedy: Remedy | null;

  constructor(loc: CsvLocation, problem: string, help: ErrorHelp = {}) {
    const plain = `${where(loc)}: ${problem}`;
    super(help.advice ? `${plain}; ${help.advice}` : plain);
    this.file = loc.file;
    this.row = loc.row;
    this.column = loc.column;
    this.plain = plain;
    this.remedy = help.remedy ?? null;
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
