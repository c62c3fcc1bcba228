/**
 * Text in pieces: slices of a string, or a Blob read slice by slice and decoded as it goes (a
 * multi-byte character cut by a slice waits for the next one). Nothing holds the whole text.
 */
import { COMMON_ENCODINGS, CsvError, type ErrorHelp } from './errors';
import {
  binaryKind,
  countLineFeeds,
  encodingFromBom,
  firstInvalidUtf8,
  hexBytes,
  magicKind,
  utf16WithoutBom,
} from './text-sniff';

export function checkText(text: string, file: string, offset: number): void {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    throw new CsvError(
      { file },
      `holds a NUL character near byte ${offset + nul}: this is binary data, not CSV text`,
    );
  }
}

export interface TextChunk {
  text: string;
  bytes: number;
}

export async function* stringChunks(input: string, size: number): AsyncGenerator<TextChunk> {
  let start = input.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (start < input.length) {
    let end = Math.min(start + size, input.length);
    // Never split a surrogate pair: the parser would see two broken characters.
    if (end < input.length && (input.charCodeAt(end - 1) & 0xfc00) === 0xd800) end++;
    yield { text: input.slice(start, end), bytes: end - start };
    start = end;
  }
}

export interface BlobTextOptions {
  file: string;
  size: number;
  /** The caller's encoding; a byte-order mark overrides it, as the WHATWG decode algorithm does. */
  encoding: string;
}

/** The decoder a file's first bytes call for, after refusing binary files by name. */
function openDecoder(first: Uint8Array, { file, encoding }: BlobTextOptions): TextDecoder {
  const fromBom = encodingFromBom(first);
  const label = fromBom ?? encoding;
  if (fromBom === null) {
    const magic = magicKind(first);
    if (magic !== null) {
      throw new CsvError({ file }, `is a binary file (${magic}), not CSV text; export the data as CSV`);
    }
    const binary = binaryKind(first);
    const utf16 = binary !== null ? utf16WithoutBom(first) : null;
    if (utf16 !== null && !label.toLowerCase().startsWith('utf-16')) {
      throw new CsvError(
        { file },
        `looks like ${utf16.toUpperCase()} text without a byte-order mark (every other byte is zero)`,
        {
          advice: `pass { encoding: '${utf16}' }, or save it as UTF-8`,
          // The page offers the encoding it looks like first.
          remedy: {
            action: 'choose-encoding',
            encodings: [utf16, ...COMMON_ENCODINGS.map((e) => e.encoding).filter((e) => e !== utf16)],
          },
        },
      );
    }
    if (binary !== null && utf16 === null) {
      throw new CsvError({ file }, `is a binary file (${binary}), not CSV text; export the data as CSV`);
    }
  }
  try {
    return new TextDecoder(label, { fatal: true });
  } catch {
    throw new CsvError({ file }, `encoding "${label}" is not supported by this browser`);
  }
}

/**
 * The place of the first bad byte in a slice that failed to decode: its line (a spreadsheet row
 * unless a quoted field spans lines) and byte. `tail` is the end of the previous slice, which may
 * hold the start of the character at fault.
 */
function badTextError(
  file: string,
  encoding: string,
  slice: { bytes: Uint8Array; tail: Uint8Array; offset: number; lines: number; final: boolean },
): CsvError {
  // The page offers the encodings as a choice (remedy); a library caller reads the option (advice).
  const help: ErrorHelp = {
    advice: "save it as UTF-8 or pass the file's encoding, e.g. { encoding: 'windows-1252' }",
    remedy: {
      action: 'choose-encoding',
      encodings: COMMON_ENCODINGS.map((e) => e.encoding).filter((e) => e !== encoding.toLowerCase()),
    },
  };
  const name = encoding.toLowerCase();
  if (name !== 'utf-8' && name !== 'utf8') {
    return new CsvError(
      { file, row: slice.lines + 1 },
      `is not valid ${encoding} text (a bad byte sequence between bytes ${slice.offset} and ${slice.offset + slice.bytes.length}, from line ${slice.lines + 1} on)`,
      help,
    );
  }
  const joined = new Uint8Array(slice.tail.length + slice.bytes.length);
  joined.set(slice.tail);
  joined.set(slice.bytes, slice.tail.length);
  const at = Math.max(firstInvalidUtf8(joined, slice.final), 0);
  const inSlice = at - slice.tail.length;
  const line = slice.lines + 1 + (inSlice > 0 ? countLineFeeds(slice.bytes, 0, inSlice) : 0);
  return new CsvError(
    { file, row: line },
    `is not valid UTF-8 text: byte ${slice.offset + inSlice} (${hexBytes(joined, at)}) on line ${line}`,
    help,
  );
}

export async function* blobChunks(blob: Blob, options: BlobTextOptions): AsyncGenerator<TextChunk> {
  const { file, size } = options;
  let decoder: TextDecoder | null = null;
  let tail = new Uint8Array(0);
  let lines = 0;
  let offset = 0;
  while (offset < blob.size) {
    const end = Math.min(offset + size, blob.size);
    const bytes = new Uint8Array(await blob.slice(offset, end).arrayBuffer());
    decoder ??= openDecoder(bytes, options);
    let text: string;
    try {
      // stream: true keeps a multi-byte character cut by the slice for the next call.
      text = decoder.decode(bytes, { stream: end < blob.size });
    } catch {
      throw badTextError(file, decoder.encoding, { bytes, tail, offset, lines, final: end >= blob.size });
    }
    lines += countLineFeeds(bytes);
    tail = bytes.slice(Math.max(0, bytes.length - 3));
    yield { text, bytes: end - offset };
    offset = end;
  }
}

/** The minimal Node-stream face Papa Parse's ReadableStreamStreamer drives; we push, it parses. */
export class ChunkEmitter {
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
