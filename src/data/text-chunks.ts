/**
 * Text in pieces: slices of a string, or a Blob read slice by slice and decoded as it goes (a
 * multi-byte character cut by a slice waits for the next one). Nothing holds the whole text.
 */
import { COMMON_ENCODINGS, CsvError } from './errors';

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

export async function* blobChunks(
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
        `is not valid ${encoding} text (bad byte sequence between bytes ${offset} and ${end})`,
        {
          advice: "save it as UTF-8 or pass the file's encoding, e.g. { encoding: 'windows-1252' }",
          remedy: {
            action: 'choose-encoding',
            encodings: COMMON_ENCODINGS.map((e) => e.encoding).filter((e) => e !== encoding),
          },
        },
      );
    }
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
