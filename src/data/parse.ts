/**
 * CSV text in, columnar table out. Text arrives in chunks (from a Blob's stream or slices of a
 * string) and Papa Parse consumes each chunk as it comes, so a file is never held as one string;
 * rows go straight into the column builders. In a browser, large files are parsed in a Worker.
 */
import Papa from 'papaparse';
import { CsvError } from './errors';
import { parseInWorker, workerAvailable } from './parse-worker-client';
import { type CsvTable, TableBuilder, uniqueNames } from './table';
import { parseNumber } from './values';

export interface CsvProgress {
  /** Bytes read so far (UTF-16 code units for string input). */
  bytesRead: number;
  totalBytes: number;
  rows: number;
}

export interface ParseCsvOptions {
  /** Name used in messages; defaults to the File's name, `<blob>` or `<string>`. */
  fileName?: string;
  /** A fixed delimiter; by default comma, semicolon, tab or pipe is detected from the first rows. */
  delimiter?: string;
  /** Whether row 1 is a header; 'auto' (default) treats it as one unless a field in it is a number. */
  header?: boolean | 'auto';
  /** A row with the wrong number of fields: 'error' (default) or 'skip' it and count it. */
  onRaggedRow?: 'error' | 'skip';
  onProgress?: (progress: CsvProgress) => void;
  /** Refuse inputs larger than this (default 1 GiB): the table would not fit in a tab. */
  maxBytes?: number;
  /** Bytes decoded and handed to the parser at a time (default 1 MiB). */
  chunkBytes?: number;
  /** 'auto' (default): a Worker for Blobs over `workerThresholdBytes` when Workers exist. */
  worker?: boolean | 'auto';
  workerThresholdBytes?: number;
  /** Text encoding for Blob input (default 'utf-8'; invalid UTF-8 is an error naming the byte). */
  encoding?: string;
}

const DEFAULT_MAX_BYTES = 1024 ** 3;
const DEFAULT_CHUNK = 1024 * 1024;
const DEFAULT_WORKER_THRESHOLD = 8 * 1024 * 1024;

/** Parse CSV text, a Blob or a File into a table (in a Worker for large files where possible). */
export async function parseCsv(input: string | Blob, options: ParseCsvOptions = {}): Promise<CsvTable> {
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
      : blobChunks(input, file, chunkBytes, options.encoding ?? 'utf-8');
  const sink = new RowSink(file, options);
  const stream = new ChunkEmitter();
  const done = new Promise<void>((resolve, reject) => {
    Papa.parse<string[]>(stream as unknown as NodeJS.ReadableStream, {
      delimiter: options.delimiter ?? '',
      delimitersToGuess: [',', ';', '\t', '|'],
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

function checkText(text: string, file: string, offset: number): void {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    throw new CsvError(
      { file },
      `holds a NUL character near byte ${offset + nul}: this is binary data, not CSV text`,
    );
  }
}

interface TextChunk {
  text: string;
  bytes: number;
}

async function* stringChunks(input: string, size: number): AsyncGenerator<TextChunk> {
  let start = input.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (start < input.length) {
    let end = Math.min(start + size, input.length);
    // Never split a surrogate pair: the parser would see two broken characters.
    if (end < input.length && (input.charCodeAt(end - 1) & 0xfc00) === 0xd800) end++;
    yield { text: input.slice(start, end), bytes: end - start };
    start = end;
  }
}

async function* blobChunks(
  blob: Blob,
  file: string,
  size: number,
  encoding: string,
): AsyncGenerator<TextChunk> {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    throw new CsvError({ file }, `encoding "${encoding}" is not supported by this browser`);
  }
  let offset = 0;
  while (offset < blob.size) {
    const end = Math.min(offset + size, blob.size);
    const bytes = new Uint8Array(await blob.slice(offset, end).arrayBuffer());
    let text: string;
    try {
      // stream: true keeps a multi-byte character cut by the slice for the next call.
      text = decoder.decode(bytes, { stream: end < blob.size });
    } catch {
      throw new CsvError(
        { file },
        `is not valid ${encoding} text (bad byte sequence between bytes ${offset} and ${end}); ` +
          `save it as UTF-8 or pass the file's encoding, e.g. { encoding: 'windows-1252' }`,
      );
    }
    yield { text, bytes: end - offset };
    offset = end;
  }
}

/** The minimal Node-stream face Papa Parse's ReadableStreamStreamer drives; we push, it parses. */
class ChunkEmitter {
  readonly readable = true;
  private readonly listeners = new Map<string, ((arg?: string) => void)[]>();
  read(): void {}
  pause(): void {}
  resume(): void {}
  on(event: string, fn: (arg?: string) => void): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
  }
  removeListener(event: string, fn: (arg?: string) => void): void {
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((f) => f !== fn),
    );
  }
  emit(event: string, arg?: string): void {
    for (const fn of this.listeners.get(event) ?? []) fn(arg);
  }
}

/** Receives Papa Parse's chunks: header detection, ragged-row checks, rows into the builder. */
class RowSink {
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
        `row ${this.records} has ${fields.length} field${fields.length === 1 ? '' : 's'}, expected ${this.width} (as in row 1); ` +
          `fix the row or pass { onRaggedRow: 'skip' }`,
      );
      return false;
    }
    this.builder.addRow(fields);
    return true;
  }

  private startTable(first: string[]): void {
    const header = this.options.header ?? 'auto';
    this.hasHeader = header === 'auto' ? !first.some((f) => parseNumber(f.trim()) !== null) : header;
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
      columns: builder.finishColumns(),
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
