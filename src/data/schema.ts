/**
 * Schema inference: a kind and a role for every column, the target and the task. Every automatic
 * choice can be overridden (kinds, exclusions, task, missing-value tokens, date order).
 */
import { type ColumnBlock, findBlocks } from './blocks';
import { CellReader, sortKeys } from './cells';
import { type ColumnKind, classifyColumn, FEATURE_KINDS } from './classify';
import { type ColumnStats, columnStats, findTextCells } from './column-stats';
import { DataError } from './errors';
import type { CsvTable } from './table';
import { booleanWord, type DateFormat, DEFAULT_MISSING_VALUES, detectDateFormat, missingSet } from './values';

export type Task = 'classification' | 'regression';
export type ColumnRole = 'feature' | 'target' | 'excluded';

export interface ColumnSchema {
  name: string;
  index: number;
  kind: ColumnKind;
  role: ColumnRole;
  /** Why the kind was chosen (or 'set by the caller'). */
  reason: string;
  missing: number;
  distinct: number;
  /** Text cells in a numeric column (read as missing): how many, the first (spreadsheet row), one. */
  invalid: { count: number; firstRow: number; example: string } | null;
  decimalComma: boolean;
  dateFormat: DateFormat | null;
  booleanTrue: string | null;
  /** Index into `Schema.blocks` of the block this column belongs to, or null. */
  block: number | null;
}

export interface Schema {
  source: string;
  rowCount: number;
  columns: ColumnSchema[];
  target: string | null;
  task: Task | null;
  /** Classification only: class index i in y is classNames[i]. */
  classNames: string[] | null;
  /** Classification only: rows of each class, in classNames order. */
  classCounts: number[] | null;
  /** Classes left out with the rows that hold them (option dropClasses). */
  droppedClasses: string[];
  /** Runs of like number columns read together (blocks.ts), left to right. */
  blocks: ColumnBlock[];
  missingValues: string[];
  warnings: string[];
}

export interface InferSchemaOptions {
  target?: string;
  /** Overrides the task chosen from the target's kind. */
  task?: Task;
  /** Per-column kind overrides. */
  kinds?: Record<string, ColumnKind>;
  /** Columns to leave out of the features. */
  exclude?: string[];
  /** Cells read as missing (case-insensitive); default empty, NA, N/A, NaN, ?, null. */
  missingValues?: string[];
  dateFormats?: Record<string, DateFormat>;
  /** Text columns with more distinct values than this, covering over half the rows, are identifier-like (50). */
  maxCategories?: number;
  /** Integer columns with at most this many distinct values are categories (10). */
  maxIntegerCategories?: number;
  /** The fraction of text cells a numeric column may hold (read as missing): 0.05. */
  strayTextFraction?: number;
  /** Find blocks of like number columns and read each as one (default true); false judges columns one by one. */
  blocks?: boolean;
  /** Classification: classes to leave out, with their rows (a junk class of one row, say). */
  dropClasses?: string[];
  /**
   * The columns' statistics from `tableStats(table, missingValues)` with the same missing values:
   * inferring twice (without, then with a target) reads the table once.
   */
  stats?: readonly ColumnStats[];
}

/** One pass over every column: what inferSchema decides kinds from. */
export function tableStats(
  table: CsvTable,
  missingValues: readonly string[] = DEFAULT_MISSING_VALUES,
): ColumnStats[] {
  const missing = missingSet([...missingValues]);
  return table.columns.map((col) => columnStats(col, table.rowCount, missing));
}

/** Spreadsheet row number of 0-based data row `r`. */
export function sheetRow(table: CsvTable, r: number): number {
  return r + (table.hasHeader ? 2 : 1);
}

export function inferSchema(table: CsvTable, options: InferSchemaOptions = {}): Schema {
  const missingValues = options.missingValues ?? [...DEFAULT_MISSING_VALUES];
  const missing = missingSet(missingValues);
  const names = table.columns.map((c) => c.name);
  for (const name of [...Object.keys(options.kinds ?? {}), ...(options.exclude ?? [])]) {
    if (!names.includes(name)) {
      throw new DataError(
        { file: table.source, column: name },
        `no such column; columns are: ${names.join(', ')}`,
      );
    }
  }
  if (options.target !== undefined && !names.includes(options.target)) {
    throw new DataError(
      { file: table.source, column: options.target },
      `target column does not exist; columns are: ${names.join(', ')}`,
    );
  }
  const warnings: string[] = [];
  const exclude = new Set(options.exclude ?? []);
  const allStats = options.stats ?? table.columns.map((col) => columnStats(col, table.rowCount, missing));
  const targetIndex = options.target === undefined ? -1 : names.indexOf(options.target);
  const blocks = options.blocks === false ? [] : findBlocks(names, allStats, new Set([targetIndex]));
  const blockOf = blockIndex(blocks, names.length);
  const columns = table.columns.map((col, index): ColumnSchema => {
    const stats = allStats[index];
    const block = blockOf[index];
    const auto = classifyColumn(
      col.name,
      stats,
      {
        maxCategories: options.maxCategories ?? 50,
        maxIntegerCategories: options.maxIntegerCategories ?? 10,
        strayTextFraction: options.strayTextFraction ?? 0.05,
      },
      { block: block === null ? null : blocks[block], target: index === targetIndex },
    );
    const c: ColumnSchema = {
      name: col.name,
      index,
      kind: auto.kind,
      role: 'excluded',
      reason: auto.reason,
      missing: stats.missing,
      distinct: stats.distinctNumbers + stats.textValues.length,
      invalid: null,
      decimalComma: auto.decimalComma,
      dateFormat: options.dateFormats?.[col.name] ?? auto.dateFormat,
      booleanTrue: auto.booleanTrue,
      block,
    };
    const forced = options.kinds?.[col.name];
    if (forced !== undefined && forced !== auto.kind) applyOverride(table, c, forced, stats.textValues);
    else if (auto.dateAmbiguous && !options.dateFormats?.[col.name])
      warnings.push(`column "${c.name}": ${c.reason}`);
    if (c.kind === 'numeric') c.invalid = strayText(table, c, missing);
    if (c.invalid) {
      warnings.push(
        `column "${c.name}": ${c.invalid.count} text cells in a numeric column read as missing ` +
          `(first: row ${c.invalid.firstRow}, "${c.invalid.example}")`,
      );
    }
    const usable = FEATURE_KINDS.has(c.kind) && !exclude.has(c.name);
    c.role = col.name === options.target ? 'target' : usable ? 'feature' : 'excluded';
    return c;
  });
  const schema: Schema = {
    source: table.source,
    rowCount: table.rowCount,
    columns,
    target: options.target ?? null,
    task: null,
    classNames: null,
    classCounts: null,
    droppedClasses: [],
    blocks,
    missingValues,
    warnings,
  };
  if (options.target !== undefined) {
    resolveTarget(table, schema, missing, options.task, new Set(options.dropClasses ?? []));
  }
  return schema;
}

function blockIndex(blocks: readonly ColumnBlock[], columns: number): (number | null)[] {
  const of = new Array<number | null>(columns).fill(null);
  blocks.forEach((b, k) => {
    for (const i of b.columns) of[i] = k;
  });
  return of;
}

/**
 * Classes with fewer rows than `minRows` that are also under a tenth of the rows: too few to learn
 * from, and the test split may get none. Often a typing slip (a "." among species names). In a
 * tiny table a class of 4 rows in 12 is no slip, so it is not flagged.
 */
export function rareClasses(schema: Schema, minRows = 5): { name: string; rows: number }[] {
  if (!schema.classNames || !schema.classCounts) return [];
  const counts = schema.classCounts;
  const total = counts.reduce((a, b) => a + b, 0);
  return schema.classNames
    .map((name, i) => ({ name, rows: counts[i] }))
    .filter((c) => c.rows < minRows && c.rows * 10 < total);
}

function applyOverride(table: CsvTable, c: ColumnSchema, kind: ColumnKind, texts: string[]): void {
  const fail = (why: string) => {
    throw new DataError({ file: table.source, column: c.name }, `cannot be read as ${kind}: ${why}`);
  };
  if (kind === 'datetime' && c.dateFormat === null) {
    const date = detectDateFormat(texts);
    if (!date) fail('its values are not dates in year-month-day, month/day/year or day/month/year order');
    c.dateFormat = date?.format ?? null;
  }
  if (kind === 'boolean' && c.booleanTrue === null) {
    if (c.distinct !== 2) fail(`it has ${c.distinct} distinct values, a boolean has 2`);
    const t = texts.find((v) => booleanWord(v) === true) ?? texts[0] ?? '1';
    c.booleanTrue = t.toLowerCase();
  }
  c.kind = kind;
  c.reason = `set by the caller (detected: ${c.reason})`;
}

function strayText(table: CsvTable, c: ColumnSchema, missing: ReadonlySet<string>): ColumnSchema['invalid'] {
  const col = table.columns[c.index];
  const numbers = new CellReader(col, missing).numbers(c.decimalComma);
  const badCode = new Uint8Array(col.dict.length);
  for (let r = 0; r < table.rowCount; r++) if (numbers.invalid[r]) badCode[col.values[r]] = 1;
  const found = findTextCells(col, table.rowCount, (code) => badCode[code] === 1);
  return found && { count: found.count, firstRow: sheetRow(table, found.first), example: found.example };
}

function resolveTarget(
  table: CsvTable,
  schema: Schema,
  missing: ReadonlySet<string>,
  task: Task | undefined,
  drop: ReadonlySet<string>,
): void {
  const t = schema.columns.find((c) => c.role === 'target')!;
  const at = { file: table.source, column: t.name };
  if (t.kind === 'empty') throw new DataError(at, 'the target is missing in every row');
  const col = table.columns[t.index];
  const numbersOnly = col.dict.every((text) => missing.has(text.toLowerCase()));
  const chosen = task ?? taskFor(t, numbersOnly, at);
  schema.task = chosen;
  if (chosen === 'regression') {
    if (
      t.kind !== 'numeric' &&
      t.kind !== 'integer-category' &&
      t.kind !== 'identifier' &&
      t.kind !== 'constant'
    ) {
      throw new DataError(at, `regression needs a numeric target, this column is ${t.kind} (${t.reason})`);
    }
    if (t.kind === 'constant')
      throw new DataError(at, 'the target has one value in every row: nothing to learn');
    return;
  }
  const reader = new CellReader(table.columns[t.index], missing);
  const counts = new Map<string, number>();
  for (let r = 0; r < table.rowCount; r++) {
    const k = reader.key(r);
    if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  for (const name of drop) {
    if (!counts.has(name)) {
      throw new DataError(at, `cannot drop class "${name}": no row holds it`);
    }
  }
  schema.droppedClasses = [...drop];
  let classes = sortKeys([...counts.keys()].filter((k) => !drop.has(k)));
  if (t.kind === 'boolean' && t.booleanTrue !== null) {
    classes = [
      ...classes.filter((k) => k.toLowerCase() !== t.booleanTrue),
      ...classes.filter((k) => k.toLowerCase() === t.booleanTrue),
    ];
  }
  if (classes.length < 2) {
    throw new DataError(at, `the target has one class ("${classes[0]}"): classification needs at least 2`);
  }
  schema.classNames = classes;
  schema.classCounts = classes.map((k) => counts.get(k) ?? 0);
}

function taskFor(t: ColumnSchema, numbersOnly: boolean, at: { file: string; column: string }): Task {
  switch (t.kind) {
    case 'numeric':
      return 'regression';
    case 'integer-category':
    case 'categorical':
    case 'boolean':
      return 'classification';
    case 'constant':
      throw new DataError(at, 'the target has one class in every row: classification needs at least 2');
    case 'identifier':
      // Unique integers (a count, a price in cents) can be a regression target; unique text cannot.
      if (numbersOnly) return 'regression';
      throw new DataError(
        at,
        `the target looks like an identifier (${t.reason}); pass task: 'classification' to use it anyway`,
      );
    default:
      throw new DataError(
        at,
        `a ${t.kind} column cannot be a target; pick another column or override its kind`,
      );
  }
}
