/**
 * Which column to predict when nobody said, by evidence rather than position: a name people give
 * targets, else a text column with few values (a label), else the last column, else the first.
 * Columns that cannot be a target (empty, constant, identifiers, dates, members of a block of
 * like columns) are never suggested.
 */
import type { ColumnSchema, Schema } from './schema';

export interface TargetSuggestion {
  column: string;
  /** Why this column, in words for the page. */
  reason: string;
}

const TARGET_NAMES = new Set([
  'target',
  'label',
  'labels',
  'class',
  'classes',
  'y',
  'species',
  'outcome',
  'diagnosis',
  'result',
  'category',
  'digit',
  'churn',
  'churned',
  'survived',
  'response',
]);

/** Text classes are usually few; more than this is a description, not a label. */
const MAX_LABEL_VALUES = 20;

function normalName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function canBeTarget(c: ColumnSchema): boolean {
  return c.block === null && ['numeric', 'integer-category', 'categorical', 'boolean'].includes(c.kind);
}

function isTextLabel(c: ColumnSchema): boolean {
  return (
    (c.kind === 'categorical' || (c.kind === 'boolean' && c.booleanTrue !== '1')) &&
    c.distinct >= 2 &&
    c.distinct <= MAX_LABEL_VALUES
  );
}

/** The target to start with, from a schema inferred without one. Null when no column can be one. */
export function suggestTarget(schema: Schema): TargetSuggestion | null {
  const usable = schema.columns.filter(canBeTarget);
  if (usable.length === 0) return null;
  const named = usable.find((c) => TARGET_NAMES.has(normalName(c.name)));
  if (named)
    return { column: named.name, reason: `its name, "${named.name}", is a usual name for what to predict` };
  const labels = usable.filter(isTextLabel);
  const last = schema.columns[schema.columns.length - 1];
  const first = schema.columns[0];
  if (labels.length > 0) {
    const pick =
      labels.find((c) => c === last) ?? labels.find((c) => c === first) ?? labels[labels.length - 1];
    const place = pick === last ? ', and the last column' : pick === first ? ', and the first column' : '';
    const others = labels.length > 1 ? ` (${labels.length} text columns have few values)` : ' (the only one)';
    return {
      column: pick.name,
      reason: `a text column with few values (${pick.distinct}), as labels are${place}${others}`,
    };
  }
  if (canBeTarget(last)) {
    return {
      column: last.name,
      reason: 'the last column: no column is named like a target or holds text labels',
    };
  }
  if (canBeTarget(first)) {
    return {
      column: first.name,
      reason: 'the first column: no column is named like a target or holds text labels',
    };
  }
  return { column: usable[usable.length - 1].name, reason: 'the last column that can be predicted' };
}
