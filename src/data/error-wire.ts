/**
 * Errors across a Worker boundary: structured clone keeps an Error's message but not its class or
 * fields, so the worker sends them as data and the page rebuilds the same typed error. A flag, not
 * the class name, says which class: minified builds rename classes.
 */
import { CsvError, CsvLocatedError, DataError, type Remedy } from './errors';

export interface ErrorData {
  kind: 'csv' | 'data' | 'other';
  message: string;
  plain: string;
  remedy: Remedy | null;
  file: string;
  row?: number;
  column?: string;
}

export function errorToData(err: unknown, file: string): ErrorData {
  const e = err instanceof Error ? err : new Error(String(err));
  if (e instanceof CsvLocatedError) {
    return {
      kind: e instanceof CsvError ? 'csv' : 'data',
      message: e.message,
      plain: e.plain,
      remedy: e.remedy,
      file: e.file,
      row: e.row,
      column: e.column,
    };
  }
  return { kind: 'other', message: e.message, plain: e.message, remedy: null, file };
}

export function errorFromData(d: ErrorData): Error {
  if (d.kind === 'other') return new Error(d.message);
  const Class = d.kind === 'csv' ? CsvError : DataError;
  const err = new Class(
    { file: d.file, row: d.row, column: d.column },
    '',
    d.remedy ? { remedy: d.remedy } : {},
  );
  err.message = d.message;
  Object.defineProperty(err, 'plain', { value: d.plain });
  return err;
}
