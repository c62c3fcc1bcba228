/**
 * Deciding a column's kind from its statistics and its place in the table. The rules, in order:
 * part of a block of like columns (blocks.ts) -> numeric, constant or not; no values -> empty;
 * one distinct value -> constant; numbers only -> boolean (0/1), identifier (unique integers named
 * like an ID or forming a run), integer category or numeric; with text -> numeric (when at most 5%
 * of cells, and fewer than the numbers, are stray text, read as missing), datetime, boolean
 * words, identifier (unique per row, or more than `maxCategories` distinct values covering over
 * half the rows), else categorical.
 * Integers are a category only with evidence: few distinct values (at most `maxIntegerCategories`,
 * each seen twice on average) and a name that says category (`class`, `type`, `region`, ...),
 * or the column is the target. Otherwise they are numbers: counts, ratings and pixel
 * intensities keep their order that way, and a one-hot per value would multiply the features.
 */
import type { ColumnBlock } from './blocks';
import type { ColumnStats } from './column-stats';
import { booleanWord, type DateFormat, detectDateFormat, parseDecimalComma } from './values';

export const COLUMN_KINDS = [
  'numeric',
  'integer-category',
  'categorical',
  'boolean',
  'datetime',
  'identifier',
  'constant',
  'empty',
] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

/** Kinds that become features; identifier, constant and empty columns are left out. */
export const FEATURE_KINDS: ReadonlySet<ColumnKind> = new Set([
  'numeric',
  'integer-category',
  'categorical',
  'boolean',
  'datetime',
]);

export interface ClassifyOptions {
  maxCategories: number;
  maxIntegerCategories: number;
  strayTextFraction: number;
}

export interface Classification {
  kind: ColumnKind;
  reason: string;
  decimalComma: boolean;
  dateFormat: DateFormat | null;
  dateAmbiguous: boolean;
  /** For boolean columns: the lower-cased value read as 1. */
  booleanTrue: string | null;
}

const ID_NAME = /(^|[^a-z])(id|key|index|uuid|guid)$|^(id|no|num|number|#)([^a-z]|$)/i;

const CATEGORY_WORDS =
  'class|type|kind|category|group|grade|level|code|cluster|segment|region|zone|status|sex|gender|origin|month|weekday|season|quarter|rating|label';
/** A name that says its integers are codes: the word alone, or at its end (`pclass`, `blood_type`). */
const CATEGORY_NAME = new RegExp(`(^|[^a-z])(${CATEGORY_WORDS})([^a-z]|$)|(${CATEGORY_WORDS})s?$`, 'i');

/** Where a column sits: in a block of like columns, or the target. */
export interface ColumnContext {
  block?: ColumnBlock | null;
  target?: boolean;
}

function result(kind: ColumnKind, reason: string, extra: Partial<Classification> = {}): Classification {
  return {
    kind,
    reason,
    decimalComma: false,
    dateFormat: null,
    dateAmbiguous: false,
    booleanTrue: null,
    ...extra,
  };
}

/** Counts in the reasons the page shows, with thousands separators ("in 300,000 rows"). */
const count = (n: number) => n.toLocaleString('en');

export function classifyColumn(
  name: string,
  s: ColumnStats,
  o: ClassifyOptions,
  context: ColumnContext = {},
): Classification {
  const present = s.numbers + s.texts;
  const distinct = s.distinctNumbers + s.textValues.length;
  if (context.block) {
    const b = context.block;
    const where = `part of the block ${b.first} … ${b.last}`;
    return distinct === 1
      ? result(
          'numeric',
          `${where}; the same value in every row, kept (it encodes as 0) so the block keeps its shape`,
        )
      : result('numeric', `${where} (${b.columns.length} columns of like numbers, read together)`);
  }
  if (present === 0) return result('empty', 'every cell is missing');
  if (distinct === 1) return result('constant', 'a single value in every non-missing cell');
  if (s.texts === 0) return classifyNumbers(name, s, o, present, context.target === true);
  return classifyText(s, o, present, distinct);
}

function classifyNumbers(
  name: string,
  s: ColumnStats,
  o: ClassifyOptions,
  present: number,
  target: boolean,
): Classification {
  if (s.distinctNumbers === 2 && s.min === 0 && s.max === 1) {
    return result('boolean', 'only the numbers 0 and 1', { booleanTrue: '1' });
  }
  const unique = s.distinctNumbers === present && present >= 10;
  if (s.allIntegers && unique && (ID_NAME.test(name.trim()) || s.max - s.min + 1 === present)) {
    return result('identifier', `a different integer in every row (${count(present)} values)`);
  }
  // Categories repeat: ten ages in ten rows are measurements, five codes in 400 rows may not be.
  const few =
    s.allIntegers && s.distinctNumbers <= o.maxIntegerCategories && s.distinctNumbers * 2 <= present;
  if (!few)
    return result(
      'numeric',
      s.allIntegers ? `integers, ${count(s.distinctNumbers)} distinct values` : 'numbers',
    );
  const values = `${s.distinctNumbers} distinct integers (${fmtRange(s)}) in ${count(present)} rows`;
  if (target) return result('integer-category', `${values}: as the target, classes`);
  if (CATEGORY_NAME.test(name.trim())) {
    return result('integer-category', `${values}, and the name says category: one-hot`);
  }
  return result(
    'numeric',
    `${values}; read as numbers, since no name says they are codes (set integer-category to one-hot them)`,
  );
}

function fmtRange(s: ColumnStats): string {
  return `${s.min}..${s.max}`;
}

function classifyText(s: ColumnStats, o: ClassifyOptions, present: number, distinct: number): Classification {
  let commaTexts = 0;
  s.textValues.forEach((t, i) => {
    if (parseDecimalComma(t) !== null) commaTexts += s.textCounts[i];
  });
  const decimalComma = commaTexts > 0;
  const numeric = s.numbers + commaTexts;
  const stray = present - numeric;
  if (numeric > stray && stray <= Math.max(1, o.strayTextFraction * present)) {
    const how = decimalComma ? 'numbers with a decimal comma' : 'numbers';
    const reason = stray > 0 ? `${how}; ${stray} cells of text read as missing` : how;
    return result('numeric', reason, { decimalComma });
  }
  if (s.numbers === 0) {
    const date = detectDateFormat(s.textValues);
    if (date) {
      const note = date.ambiguous ? ' (day and month are both at most 12: read as month/day/year)' : '';
      return result('datetime', `dates in ${date.format} order${note}`, {
        dateFormat: date.format,
        dateAmbiguous: date.ambiguous,
      });
    }
    if (s.textValues.length === 2) {
      const [a, b] = s.textValues.map(booleanWord);
      if (a !== null && b !== null && a !== b) {
        const t = (a ? s.textValues[0] : s.textValues[1]).toLowerCase();
        return result('boolean', `two values read as true/false (${s.textValues.join(', ')})`, {
          booleanTrue: t,
        });
      }
    }
  }
  if ((distinct === present && present >= 10) || (distinct > o.maxCategories && distinct > present / 2)) {
    return result(
      'identifier',
      `${count(distinct)} distinct values in ${count(present)} rows: an identifier or free text`,
    );
  }
  return result('categorical', `${distinct} distinct values`);
}
