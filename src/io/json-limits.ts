/**
 * Bounds on the JSON a weights file carries, so a small hostile file costs little: nesting depth
 * and repeated keys are found by one scan before JSON.parse (a 20 KB value nested 10,000 deep
 * otherwise overflows the stack in JSON.stringify or in any recursive check), the number of
 * tensor entries is capped, and values echoed into messages are cut short (a 27 MB message is no
 * message).
 */
import { WeightsFileError } from './errors';

/** Deepest nesting a weights header may have: ours is 3 (safetensors) or 4 (JSON weights). */
export const MAX_HEADER_DEPTH = 8;
/** Deepest nesting of a JSON metadata value (the model config is about 6 deep). */
export const MAX_METADATA_DEPTH = 32;
/** Tensor entries in one file: a model of 16,000 layers with four weights each. */
export const MAX_TENSOR_ENTRIES = 65_536;
/** Longest value quoted in a message. */
const MAX_QUOTE = 80;

/** Index of the quote that closes the string opened at `open` (or the text's length). */
function closingQuote(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return q;
    from = q + 1;
  }
}

interface Frame {
  /** Keys seen so far in an object; null for an array. */
  keys: Set<string> | null;
  /** The key this value sits under, or null at the top and in arrays. */
  under: string | null;
}

/**
 * One scan of JSON text before it is parsed: nesting deeper than `maxDepth` and a key repeated
 * within one object are refused (JSON.parse keeps the last of two equal keys, so a tensor written
 * twice would load one of its versions silently). Malformed text passes; JSON.parse reports it.
 */
export function scanJson(file: string, what: string, text: string, maxDepth: number): void {
  const stack: Frame[] = [];
  let expectKey = false;
  let lastKey: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const j = closingQuote(text, i);
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const raw = text.slice(i + 1, j);
        let key = raw;
        if (raw.includes('\\')) {
          try {
            key = JSON.parse(text.slice(i, j + 1)) as string;
          } catch {
            return; // a broken string: JSON.parse names the problem
          }
        }
        if (top.keys.has(key)) {
          const where = top.under === null ? 'the top level' : `'${quoteText(top.under, 40)}'`;
          throw new WeightsFileError(
            file,
            `${what}: key ${JSON.stringify(quoteText(key, 80))} appears twice in ${where}; JSON keeps only the last, so each name must appear once`,
          );
        }
        top.keys.add(key);
        if (top.keys.size > MAX_TENSOR_ENTRIES + 1) {
          const where = top.under === null ? 'the top level' : `'${quoteText(top.under, 40)}'`;
          throw new WeightsFileError(
            file,
            `${what}: ${where} has more than ${MAX_TENSOR_ENTRIES + 1} keys; a weights file holds at most ${MAX_TENSOR_ENTRIES} tensors`,
          );
        }
        lastKey = key;
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      const inObject = stack[stack.length - 1]?.keys != null;
      stack.push({ keys: c === 0x7b ? new Set() : null, under: inObject ? lastKey : null });
      if (stack.length > maxDepth) {
        throw new WeightsFileError(
          file,
          `${what} nests deeper than ${maxDepth} levels; a weights file never does`,
        );
      }
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      expectKey = stack[stack.length - 1]?.keys != null;
    }
  }
}

/** JSON.parse after `scanJson`; every failure a WeightsFileError naming `what`. */
export function parseBoundedJson(file: string, what: string, text: string, maxDepth: number): unknown {
  scanJson(file, what, text, maxDepth);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new WeightsFileError(file, `${what} is not valid JSON (${quoteText((e as Error).message)})`);
  }
}

/** Text cut to `max` characters, saying how much was left out. */
export function quoteText(text: string, max = MAX_QUOTE * 2): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length - max} more characters)`;
}

/**
 * A JSON value as a message quotes it, at most about 80 characters: arrays and objects show their
 * first items only, so quoting costs little whatever the value's size.
 */
export function brief(value: unknown, depth = 0): string {
  if (typeof value === 'string') return JSON.stringify(quoteText(value, MAX_QUOTE));
  if (value === undefined) return 'undefined';
  if (typeof value !== 'object' || value === null) return String(JSON.stringify(value) ?? String(value));
  if (depth >= 2) return Array.isArray(value) ? '[...]' : '{...}';
  const parts: string[] = [];
  let length = 0;
  const items: [string | null, unknown][] = Array.isArray(value)
    ? value.slice(0, 9).map((v) => [null, v])
    : Object.entries(value).slice(0, 9);
  const total = Array.isArray(value) ? value.length : Object.keys(value).length;
  for (const [key, v] of items) {
    const part = (key === null ? '' : `${JSON.stringify(quoteText(key, 20))}:`) + brief(v, depth + 1);
    length += part.length;
    if (length > MAX_QUOTE || parts.length === 8) break;
    parts.push(part);
  }
  const more = parts.length < total ? `${parts.length ? ',' : ''}... ${total - parts.length} more` : '';
  return Array.isArray(value) ? `[${parts.join(',')}${more}]` : `{${parts.join(',')}${more}}`;
}

/** Refuses a file with more tensor entries than any model has. */
export function checkEntryCount(file: string, count: number): void {
  if (count > MAX_TENSOR_ENTRIES) {
    throw new WeightsFileError(
      file,
      `has ${count} tensor entries, over the limit of ${MAX_TENSOR_ENTRIES}; no model has that many weights`,
    );
  }
}
