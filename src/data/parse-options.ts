/** What parseCsv takes and reports, apart from it so the Worker client and the row sink need not import the parser. */

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
  /** Bytes decoded and handed to the parser at a time (default 1 MiB; 1 KiB to 256 MiB). */
  chunkBytes?: number;
  /** 'auto' (default): a Worker for Blobs over `workerThresholdBytes` when Workers exist. */
  worker?: boolean | 'auto';
  workerThresholdBytes?: number;
  /**
   * Text encoding for Blob input (default 'utf-8'; invalid UTF-8 is an error naming the byte and
   * its line). A byte-order mark (UTF-8, UTF-16LE, UTF-16BE) overrides it.
   */
  encoding?: string;
}
