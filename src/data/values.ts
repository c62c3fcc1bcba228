/**
 * How one cell's text is read: numbers, missing-value tokens, booleans and dates. Every reader is
 * strict (a whole-cell match), because `Number('')`, `parseFloat('12abc')` and `Date.parse('1')`
 * accept text that a person would not call a number or a date.
 */

/** Cells that mean "no value" (compared trimmed and lower-cased). The empty cell is always missing. */
export const DEFAULT_MISSING_VALUES: readonly string[] = ['', 'na', 'n/a', 'nan', '?', 'null'];

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d*,\d+$/;

/** A plain decimal number (`-1.5e3`, `.5`, `7.`), or null. */
export function parseNumber(text: string): number | null {
  return NUMBER.test(text) ? Number(text) : null;
}

/** A number written with a decimal comma (`3,14`, common in semicolon-separated files), or null. */
export function parseDecimalComma(text: string): number | null {
  return DECIMAL_COMMA.test(text) ? Number(text.replace(',', '.')) : null;
}

export function missingSet(tokens: readonly string[] = DEFAULT_MISSING_VALUES): Set<string> {
  const set = new Set(tokens.map((t) => t.trim().toLowerCase()));
  set.add('');
  return set;
}

const TRUE_WORDS = new Set(['true', 't', 'yes', 'y']);
const FALSE_WORDS = new Set(['false', 'f', 'no', 'n']);

/** true/false for words a spreadsheet would call boolean, null otherwise. 0/1 are numbers, not words. */
export function booleanWord(text: string): boolean | null {
  const t = text.toLowerCase();
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  return null;
}

/** Field order of a date: year-month-day (ISO), month/day/year (US) or day/month/year. */
export type DateFormat = 'ymd' | 'mdy' | 'dmy';

const TIME = String.raw`(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?`;
const YMD = new RegExp(String.raw`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})${TIME}$`);
const XXY = new RegExp(String.raw`^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})${TIME}$`);

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function build(y: number, mo: number, d: number, m: RegExpExecArray): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > DAYS_IN_MONTH[mo - 1]) return null;
  const h = m[4] === undefined ? 0 : Number(m[4]);
  const mi = m[5] === undefined ? 0 : Number(m[5]);
  const s = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Math.round(Number(m[7]) * 1000);
  if (h > 23 || mi > 59 || s > 60) return null;
  let t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Date.UTC rolls 29 Feb of a common year over to 1 March; a real date survives the round trip.
  if (new Date(t).getUTCDate() !== d) return null;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return t;
}

/** Milliseconds since 1970 (UTC; a written offset is applied) or null when the text is no date. */
export function parseDate(text: string, format: DateFormat): number | null {
  if (format === 'ymd') {
    const m = YMD.exec(text);
    return m ? build(Number(m[1]), Number(m[2]), Number(m[3]), m) : null;
  }
  const m = XXY.exec(text);
  if (!m) return null;
  const a = Number(m[1]);
  const b = Number(m[2]);
  return format === 'mdy' ? build(Number(m[3]), a, b, m) : build(Number(m[3]), b, a, m);
}

/**
 * The one format that reads every text, or null. When day and month are both at most 12 in every
 * value, month/day/year is chosen (and `ambiguous` says so, so the schema can tell the user).
 */
export function detectDateFormat(texts: Iterable<string>): { format: DateFormat; ambiguous: boolean } | null {
  let ymd = true;
  let mdy = true;
  let dmy = true;
  let any = false;
  for (const t of texts) {
    any = true;
    if (ymd && parseDate(t, 'ymd') === null) ymd = false;
    if (mdy && parseDate(t, 'mdy') === null) mdy = false;
    if (dmy && parseDate(t, 'dmy') === null) dmy = false;
    if (!ymd && !mdy && !dmy) return null;
  }
  if (!any) return null;
  if (ymd) return { format: 'ymd', ambiguous: false };
  if (mdy) return { format: 'mdy', ambiguous: dmy };
  return { format: 'dmy', ambiguous: false };
}

/** Calendar parts a date column can contribute as features. */
export const DATE_PARTS = ['year', 'month', 'day', 'weekday', 'hour', 'minute', 'second'] as const;
export type DatePart = (typeof DATE_PARTS)[number];

export function datePart(ms: number, part: DatePart): number {
  const d = new Date(ms);
  switch (part) {
    case 'year':
      return d.getUTCFullYear();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'day':
      return d.getUTCDate();
    case 'weekday':
      return d.getUTCDay();
    case 'hour':
      return d.getUTCHours();
    case 'minute':
      return d.getUTCMinutes();
    case 'second':
      return d.getUTCSeconds() + d.getUTCMilliseconds() / 1000;
  }
}
