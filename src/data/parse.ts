/**
 * CSV text in, columnar table out. Text arrives in chunks (from a Blob's stream or slices of a
 * string) and Papa Parse consumes each chunk as it comes, so a file is never held as one string;
 * rows go straight into the column builders. In a browser, large files are parsed in a Worker.
 */
import Papa from 'papaparse';
import { InvalidArgumentError } from '../errors';
import {
  checkOneOf,
  checkOptionalFunction,
  checkOptionalNumber,
  checkOptionsObject,
  received,
} from '../validate';
import { CsvError } from './errors';
import type { ParseCsvOptions } from './parse-options';
import { parseInWorker, workerAvailable } from './parse-worker-client';
import { RowSink } from './row-sink';
import type { CsvTable } from './table';
import { blobChunks, ChunkEmitter, checkText, stringChunks } from './text-chunks';

export type { CsvProgress, ParseCsvOptions } from './parse-options';

const DEFAULT_MAX_BYTES = 1024 ** 3;
const DEFAULT_CHUNK = 1024 * 1024;
const DEFAULT_WORKER_THRESHOLD = 8 * 1024 * 1024;
const MIN_CHUNK = 1024;
const MAX_CHUNK = 256 * 1024 * 1024;

/**
 * Every option checked before any byte is read: a chunk size of 0 would never finish, and a
 * delimiter that is a quote or a line break cannot mean what the caller wants.
 */
export function checkParseCsvOptions(options: ParseCsvOptions): void {
  checkOptionsObject('parseCsv(options)', options);
  const o = options as Record<keyof ParseCsvOptions, unknown>;
  checkOptionalNumber('parseCsv(chunkBytes)', o.chunkBytes, {
    integer: true,
    min: MIN_CHUNK,
    max: MAX_CHUNK,
  });
  checkOptionalNumber('parseCsv(maxBytes)', o.maxBytes, { integer: true, min: 0 });
  checkOptionalNumber('parseCsv(workerThresholdBytes)', o.workerThresholdBytes, { integer: true, min: 0 });
  checkOneOf('parseCsv(header)', o.header, [true, false, 'auto']);
  checkOneOf('parseCsv(onRaggedRow)', o.onRaggedRow, ['error', 'skip']);
  checkOneOf('parseCsv(worker)', o.worker, [true, false, 'auto']);
  checkOptionalFunction('parseCsv(onProgress)', o.onProgress);
  if (o.fileName !== undefined && typeof o.fileName !== 'string') {
    throw new InvalidArgumentError(`parseCsv(fileName) must be a string, ${received(o.fileName)}`);
  }
  if (o.encoding !== undefined && (typeof o.encoding !== 'string' || o.encoding === '')) {
    throw new InvalidArgumentError(
      `parseCsv(encoding) must be an encoding label such as 'utf-8', ${received(o.encoding)}`,
    );
  }
  const d = o.delimiter;
  if (d !== undefined && (typeof d !== 'string' || d === '' || /["\r\n]/.test(d))) {
    throw new InvalidArgumentError(
      `parseCsv(delimiter) must be a non-empty string without quotes or line breaks, ${received(d)}`,
    );
  }
}

function checkInput(input: unknown, file: string): void {
  if (typeof input === 'string' || input instanceof Blob) return;
  throw new InvalidArgumentError(
    `parseCsv(${file}): expected CSV text (a string), a Blob or a File, ${received(input)}` +
      (input instanceof ArrayBuffer || ArrayBuffer.isView(input) ? '; wrap bytes as new Blob([bytes])' : ''),
  );
}

/** Parse CSV text, a Blob or a File into a table (in a Worker for large files where possible). */
export async function parseCsv(input: string | Blob, options: ParseCsvOptions = {}): Promise<CsvTable> {
  checkParseCsvOptions(options);
  checkInput(input, options?.fileName ?? 'input');
  const useWorker =
    typeof input !== 'string' &&
    options.worker !== false &&
    workerAvailable() &&
    (options.worker === true || input.size > (options.workerThresholdBytes ?? DEFAULT_WORKER_THRESHOLD));
  if (useWorker) return parseInWorker(input as Blob, options);
  return parseCsvHere(input, options);
}

function sourceName(input: string | Blob, options: ParseCsvOptions): string {
  if (options.fileName) return options.fileName;
  if (typeof input === 'string') return '<string>';
  const name = (input as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : '<blob>';
}

/** Parse on this thread. Exported for the Worker entry point and for tests. */
export async function parseCsvHere(input: string | Blob, options: ParseCsvOptions = {}): Promise<CsvTable> {
  checkParseCsvOptions(options);
  checkInput(input, options?.fileName ?? 'input');
  const file = sourceName(input, options);
  const total = typeof input === 'string' ? input.length : input.size;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (total > maxBytes) {
    throw new CsvError({ file }, `is ${total} bytes, over the limit of ${maxBytes} bytes (option maxBytes)`);
  }
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK;
  const chunks =
    typeof input === 'string'
      ? stringChunks(input, chunkBytes)
      : blobChunks(input, { file, size: chunkBytes, encoding: options.encoding ?? 'utf-8' });
  const sink = new RowSink(file, options);
  const stream = new ChunkEmitter();
  const done = new Promise<void>((resolve, reject) => {
    Papa.parse<string[]>(stream as unknown as NodeJS.ReadableStream, {
      delimiter: options.delimiter ?? '',
      delimitersToGuess: ['\t', ',', ';', '|'],
      skipEmptyLines: true,
      chunk: (results, parser) => {
        if (!sink.take(results)) parser.abort();
      },
      complete: () => resolve(),
      error: (err: Error) => reject(err),
    });
  });
  let offset = 0;
  // Papa Parse guesses the delimiter and line ending from its first chunk alone, so that chunk
  // is held back until it has enough lines to judge by.
  let head: string | null = '';
  for await (const { text, bytes } of chunks) {
    checkText(text, file, offset);
    offset += bytes;
    if (head !== null) {
      head += text;
      if (lineCount(head) < SNIFF_LINES && head.length < SNIFF_CHARS) continue;
      stream.emit('data', head);
      head = null;
    } else {
      stream.emit('data', text);
    }
    if (sink.failure) break;
    options.onProgress?.({ bytesRead: offset, totalBytes: total, rows: sink.rows() });
  }
  if (head && !sink.failure) stream.emit('data', head);
  if (sink.failure) throw sink.failure;
  if (head !== null) options.onProgress?.({ bytesRead: offset, totalBytes: total, rows: sink.rows() });
  stream.emit('end');
  await done;
  if (sink.failure) throw sink.failure;
  return sink.finish(offset, total);
}

const SNIFF_LINES = 20;
const SNIFF_CHARS = 1024 * 1024;

function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && n < SNIFF_LINES; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
