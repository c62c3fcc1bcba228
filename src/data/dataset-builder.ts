/**
 * Everything between a file and a dataset that a page can use, in one place that can run in a
 * Worker: parse, suggest a target, infer the schema with the user's choices, prepare the arrays.
 * It keeps the table, so a changed choice (a kind, the target, the split) is worked out where the
 * table lives and only the result travels. A load or a change that fails leaves the last good
 * table and result as they were.
 */
import type { ColumnKind } from './classify';
import { DataError } from './errors';
import { type ParseCsvOptions, parseCsvHere } from './parse';
import { type PreparedArrays, prepareArrays } from './prepare';
import { inferSchema, type Schema, tableStats } from './schema';
import type { SplitFractions } from './split';
import type { CsvTable } from './table';
import { suggestTarget } from './target';

/** What the user chose about the dataset: everything but the file. */
export interface DatasetChoices {
  /** The column to predict; undefined picks one by evidence (target.ts). */
  target?: string;
  /** Why `target` is the target, in words (`chosen by you`); filled in when the target is suggested. */
  targetReason?: string;
  kinds: Record<string, ColumnKind>;
  exclude: string[];
  split: SplitFractions;
  seed: number;
  dropClasses: string[];
}

/** The table without its cells: what a page shows of it. */
export interface TableSummary {
  source: string;
  rowCount: number;
  columnNames: string[];
  delimiter: string;
  hasHeader: boolean;
  skippedRows: number;
  warnings: string[];
  preview: string[][];
}

export interface DatasetView {
  table: TableSummary;
  /** The choices as applied: `target` and why always set. */
  choices: DatasetChoices & { target: string; targetReason: string };
  schema: Schema;
  prepared: PreparedArrays;
}

export function summarize(table: CsvTable): TableSummary {
  return {
    source: table.source,
    rowCount: table.rowCount,
    columnNames: table.columns.map((c) => c.name),
    delimiter: table.delimiter,
    hasHeader: table.hasHeader,
    skippedRows: table.skippedRows,
    warnings: table.warnings,
    preview: table.preview,
  };
}

export class DatasetBuilder {
  private table: CsvTable | null = null;

  async load(input: Blob | string, parse: ParseCsvOptions, choices: DatasetChoices): Promise<DatasetView> {
    const table = await parseCsvHere(input, parse);
    const view = build(table, choices);
    this.table = table;
    return view;
  }

  update(choices: DatasetChoices): DatasetView {
    if (!this.table) throw new Error('DatasetBuilder.update: no table is loaded; load a file first');
    return build(this.table, choices);
  }
}

function build(table: CsvTable, choices: DatasetChoices): DatasetView {
  let target = choices.target;
  let targetReason = choices.targetReason ?? 'chosen by you';
  // Read once: the suggestion's schema and the target's come from the same statistics.
  const stats = tableStats(table);
  if (target === undefined) {
    const suggestion = suggestTarget(
      inferSchema(table, { kinds: choices.kinds, exclude: choices.exclude, stats }),
    );
    if (!suggestion) {
      throw new DataError(
        { file: table.source },
        'no column can be predicted: every column is empty, constant, an identifier, a date or part of a block',
      );
    }
    target = suggestion.column;
    targetReason = suggestion.reason;
  }
  const schema = inferSchema(table, {
    target,
    kinds: choices.kinds,
    exclude: choices.exclude,
    dropClasses: choices.dropClasses,
    stats,
  });
  const prepared = prepareArrays(table, { target, schema, split: choices.split, seed: choices.seed });
  return { table: summarize(table), choices: { ...choices, target, targetReason }, schema, prepared };
}
