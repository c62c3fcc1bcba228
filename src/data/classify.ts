/**
 * Deciding a column's kind from its statistics. The rules, in order:
 * no values -> empty; one distinct value -> constant; numbers only -> boolean (0/1), identifier
 * (unique integers named like an ID or forming a run), integer category (few distinct integers) or
 * numeric (few distinct integers means at most `maxIntegerCategories`, and at most half as many
 * as the values); with text -> numeric (when at most 5% of cells, and fewer than the numbers, are stray
 * text, read as missing), datetime, boolean words, identifier (unique per row, or more than
 * `maxCategories` distinct values covering over half the rows), else categorical.
 */
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

export function classifyColumn(name: string, s: ColumnStats, o: ClassifyOptions): Classification {
  const present = s.numbers + s.texts;
  const distinct = s.distinctNumbers + s.textValues.length;
  if (present === 0) return result('empty', 'every cell is missing');
  if (distinct === 1) return result('constant', 'a single value in every non-missing cell');
  if (s.texts === 0) return classifyNumbers(name, s, o, present);
  return classifyText(s, o, present, distinct);
}

function classifyNumbers(name: string, s: ColumnStats, o: ClassifyOptions, present: number): Classification {
  if (s.distinctNumbers === 2 && s.min === 0 && s.max === 1) {
    return result('boolean', 'only the numbers 0 and 1', { booleanTrue: '1' });
  }
  const unique = s.distinctNumbers === present && present >= 10;
  if (s.allIntegers && unique && (ID_NAME.test(name.trim()) || s.max - s.min + 1 === present)) {
    return result('identifier', `a different integer in every row (${present} values)`);
  }
  // Categories repeat: ten ages in ten rows are measurements, five cylinder counts in 400 rows are not.
  if (s.allIntegers && s.distinctNumbers <= o.maxIntegerCategories && s.distinctNumbers * 2 <= present) {
    return result(
      'integer-category',
      `${s.distinctNumbers} distinct integers (at most ${o.maxIntegerCategories}, each seen twice on average)`,
    );
  }
  return result('numeric', 'numbers');
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
    return result('identifier', `${distinct} distinct values in ${present} rows: an identifier or free text`);
  }
  return result('categorical', `${distinct} distinct values`);
}
