/**
 * What the first bytes of a file say before any of it is decoded: a byte-order mark (which names
 * the encoding), a known binary format (an image or an archive renamed .csv), or UTF-16 text
 * without a mark. And, when UTF-8 decoding fails, exactly where: the byte and its line, so the
 * message points at a row instead of a megabyte-wide slice.
 */

/** The encoding a byte-order mark names, or null. TextDecoder drops the mark itself. */
export function encodingFromBom(bytes: Uint8Array): string | null {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

const MAGIC: { bytes: readonly number[]; kind: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], kind: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], kind: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], kind: 'a GIF image' },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], kind: 'a PDF document' },
  // .xlsx, .ods and .docx are ZIP archives; .xls is an OLE2 compound file.
  { bytes: [0x50, 0x4b, 0x03, 0x04], kind: 'a ZIP archive (an .xlsx workbook is one)' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], kind: 'an Office file such as .xls' },
  { bytes: [0x1f, 0x8b], kind: 'a gzip archive' },
  { bytes: [0x52, 0x49, 0x46, 0x46], kind: 'a RIFF file (WAV audio, WebP image)' },
];

/** How many leading bytes the checks below look at. */
export const SNIFF_BYTES = 4096;

/** The known binary format the file's first bytes name, or null. */
export function magicKind(bytes: Uint8Array): string | null {
  for (const m of MAGIC) {
    if (bytes.length >= m.bytes.length && m.bytes.every((b, i) => bytes[i] === b)) return m.kind;
  }
  return null;
}

/**
 * Why the file's first bytes are not text, or null: a NUL byte, or many control bytes (ASCII
 * 0-8 and 14-31 other than ESC; tab, line breaks and form feed are text).
 */
export function binaryKind(bytes: Uint8Array): string | null {
  const n = Math.min(bytes.length, SNIFF_BYTES);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0) return `binary data (a NUL byte at byte ${i})`;
    if (b < 9 || (b > 13 && b < 32 && b !== 27)) control++;
  }
  return control > n / 100 ? `binary data (${control} control bytes in the first ${n})` : null;
}

/**
 * 'utf-16le' or 'utf-16be' when the first bytes look like UTF-16 text without a byte-order mark
 * (mostly ASCII: every other byte zero), else null.
 */
export function utf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const n = Math.min(bytes.length, SNIFF_BYTES) & ~1;
  if (n < 4) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZeros++;
    if (bytes[i + 1] === 0) oddZeros++;
  }
  const pairs = n / 2;
  if (oddZeros > 0.4 * pairs && evenZeros < 0.05 * pairs) return 'utf-16le';
  if (evenZeros > 0.4 * pairs && oddZeros < 0.05 * pairs) return 'utf-16be';
  return null;
}

/** Length of the UTF-8 sequence a lead byte starts and the range of its second byte, or null. */
function sequenceOf(lead: number): { length: number; min: number; max: number } | null {
  if (lead < 0x80) return { length: 1, min: 0, max: 0 };
  if (lead >= 0xc2 && lead <= 0xdf) return { length: 2, min: 0x80, max: 0xbf };
  if (lead === 0xe0) return { length: 3, min: 0xa0, max: 0xbf };
  if (lead === 0xed) return { length: 3, min: 0x80, max: 0x9f }; // no surrogates
  if (lead >= 0xe1 && lead <= 0xef) return { length: 3, min: 0x80, max: 0xbf };
  if (lead === 0xf0) return { length: 4, min: 0x90, max: 0xbf };
  if (lead >= 0xf1 && lead <= 0xf3) return { length: 4, min: 0x80, max: 0xbf };
  if (lead === 0xf4) return { length: 4, min: 0x80, max: 0x8f };
  return null;
}

/**
 * Index of the first byte of the first invalid UTF-8 sequence in `bytes` (WHATWG's rules), or -1.
 * Continuation bytes at the very start belong to a character begun before `bytes` and are skipped;
 * a sequence cut by the end counts as invalid only when `final`.
 */
export function firstInvalidUtf8(bytes: Uint8Array, final: boolean): number {
  let i = 0;
  while (i < bytes.length && i < 3 && (bytes[i] & 0xc0) === 0x80) i++;
  while (i < bytes.length) {
    const seq = sequenceOf(bytes[i]);
    if (seq === null) return i;
    for (let k = 1; k < seq.length; k++) {
      if (i + k >= bytes.length) return final ? i : -1;
      const b = bytes[i + k];
      const [min, max] = k === 1 ? [seq.min, seq.max] : [0x80, 0xbf];
      if (b < min || b > max) return i;
    }
    i += seq.length;
  }
  return -1;
}

/** Line feeds in bytes[start, end): UTF-8 and single-byte encodings never hide 0x0A inside a character. */
export function countLineFeeds(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a, start); i >= 0 && i < end; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** A few bytes from `at`, as a person would quote them: `0xfc 0x6e`. */
export function hexBytes(bytes: Uint8Array, at: number, count = 4): string {
  return Array.from(bytes.subarray(at, at + count), (b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
}
