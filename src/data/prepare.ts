/**
 * Table in, tensors out: schema, row filtering (missing target, 'drop' strategies), seeded split,
 * preprocessing fitted on the training rows only, then each split encoded.
 * y holds class indices, shape [n], for classification (see `oneHotLabels`) and values, shape
 * [n, 1], for regression.
 */
import { InvalidArgumentError } from '../errors';
import { tensor } from '../graph/engine';
import type { Tensor } from '../graph/tensor';
import { checkNumber, checkOneOf, checkOptionalNumber, received } from '../validate';
import { CellReader } from './cells';
import type { ColumnKind } from './classify';
import { type EncodedKind, encoders, type FeatureSpec, type MissingStrategy, STRATEGIES } from './encoders';
import { DataError } from './errors';
import { Preprocessor, type TargetSpec, type TransformReport } from './preprocessor';
import { type InferSchemaOptions, inferSchema, type Schema, type Task } from './schema';
import { checkFractions, type RowSplit, type SplitFractions, splitRows } from './split';
import type { CsvTable } from './table';
import { missingSet } from './values';

export interface PrepareOptions extends Omit<InferSchemaOptions, 'target'> {
  target: string;
  /** A schema already inferred (and perhaps edited); otherwise inferred here with these options. */
  schema?: Schema;
  /** Default { train: 0.7, validation: 0.15, test: 0.15 }. */
  split?: SplitFractions;
  /** Default 0. The same seed gives the same split. */
  seed?: number;
  /** Keep class proportions in each split; default true for classification. */
  stratify?: boolean;
  /** Missing-value strategy per kind (defaults: mean for numbers, median for dates, most frequent otherwise). */
  missing?: Partial<Record<EncodedKind, MissingStrategy>>;
  /** Missing-value strategy per column, over `missing`. */
  missingByColumn?: Record<string, MissingStrategy>;
  /** Regression: standardise y with the training mean and std (undo with preprocessor.targetValue). */
  standardizeTarget?: boolean;
}

/** One split as arrays: what crosses to a Worker, and what a page needs to train. */
export interface SplitArrays {
  rows: number;
  /** Table row of each example. */
  rowIndices: Int32Array;
  xData: Float32Array;
  yData: Float32Array;
  report: TransformReport;
}

export interface DatasetSplit extends SplitArrays {
  x: Tensor;
  y: Tensor;
}

/** A prepared dataset without tensors (prepareArrays): plain data but for the preprocessor. */
export interface PreparedArrays extends Omit<PreparedDataset, 'train' | 'validation' | 'test'> {
  train: SplitArrays;
  validation: SplitArrays;
  test: SplitArrays;
}

export interface PreparedDataset {
  train: DatasetSplit;
  validation: DatasetSplit;
  test: DatasetSplit;
  preprocessor: Preprocessor;
  schema: Schema;
  task: Task;
  classNames: string[] | null;
  featureNames: string[];
  inputSize: number;
  /**
   * Rows left out before splitting: a missing target, a missing value under strategy 'drop', or a
   * class left out (option dropClasses).
   */
  dropped: { missingTarget: number; missingValues: number; droppedClasses: number };
  warnings: string[];
}

const DEFAULT_SPLIT: SplitFractions = { train: 0.7, validation: 0.15, test: 0.15 };

/** The options' types and ranges, before any work: a seed of "1" or a fraction of 5 says so. */
function checkPrepareOptions(options: PrepareOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(
      `prepareDataset(options) must be an object with a target, ${received(options)}`,
    );
  }
  if (typeof options.target !== 'string') {
    throw new InvalidArgumentError(
      `prepareDataset(target) must be a column name, ${received(options.target)}`,
    );
  }
  checkOptionalNumber('prepareDataset(seed)', options.seed, { integer: true });
  checkOptionalNumber('prepareDataset(maxCategories)', options.maxCategories, { integer: true, min: 1 });
  checkOptionalNumber('prepareDataset(maxIntegerCategories)', options.maxIntegerCategories, {
    integer: true,
    min: 0,
  });
  checkOptionalNumber('prepareDataset(strayTextFraction)', options.strayTextFraction, { min: 0, max: 1 });
  checkOneOf('prepareDataset(stratify)', options.stratify, [true, false]);
  checkOneOf('prepareDataset(standardizeTarget)', options.standardizeTarget, [true, false]);
  checkOneOf('prepareDataset(task)', options.task, ['classification', 'regression']);
  const split = options.split as unknown;
  if (split !== undefined) {
    if (split === null || typeof split !== 'object') {
      throw new InvalidArgumentError(
        `prepareDataset(split) must be { train, validation, test } fractions, ${received(split)}`,
      );
    }
    for (const key of ['train', 'validation', 'test'] as const) {
      checkNumber(`prepareDataset(split.${key})`, (split as Record<string, unknown>)[key], {
        min: 0,
        max: 1,
      });
    }
  }
}

/**
 * Warnings for a validation or test split left empty although its fraction asks for rows: with
 * many small classes, stratified rounding gives each class none. Names the smallest classes.
 */
function emptySplitWarnings(
  split: RowSplit,
  fractions: SplitFractions,
  classNames: string[] | null,
  strata: Float64Array | undefined,
): string[] {
  const out: string[] = [];
  for (const part of ['validation', 'test'] as const) {
    if (fractions[part] === 0 || split[part].length > 0) continue;
    let why = `too few rows (${split.train.length + split.validation.length + split.test.length}) for a ${fractions[part]} share`;
    if (strata && classNames) {
      const counts = new Map<number, number>();
      for (const k of strata) counts.set(k, (counts.get(k) ?? 0) + 1);
      const small = [...counts].filter(([, n]) => Math.round(n * fractions[part]) === 0);
      const names = small.slice(0, 5).map(([k]) => `"${classNames[k]}"`);
      const more = small.length > 5 ? ` and ${small.length - 5} more` : '';
      why =
        `each class is split on its own (stratify) and ${small.length} of ${counts.size} classes are too small to give it a row ` +
        `(${names.join(', ')}${more}); pass stratify: false, merge rare classes, or use fewer classes`;
    }
    out.push(`the ${part} split is empty: ${why}`);
  }
  return out;
}

export function prepareDataset(table: CsvTable, options: PrepareOptions): PreparedDataset {
  const arrays = prepareArrays(table, options);
  return {
    ...arrays,
    train: withTensors(arrays, arrays.train),
    validation: withTensors(arrays, arrays.validation),
    test: withTensors(arrays, arrays.test),
  };
}

/** The tensors of one split, from its arrays (y: class indices [n], or values [n, 1]). */
export function withTensors(d: Pick<PreparedArrays, 'task' | 'inputSize'>, s: SplitArrays): DatasetSplit {
  const y = d.task === 'regression' ? tensor(s.yData, [s.rows, 1]) : tensor(s.yData, [s.rows]);
  return { ...s, x: tensor(s.xData, [s.rows, d.inputSize]), y };
}

/** prepareDataset without creating tensors (for Workers: every array can be transferred). */
export function prepareArrays(table: CsvTable, options: PrepareOptions): PreparedArrays {
  checkPrepareOptions(options);
  const fractions = options.split ?? DEFAULT_SPLIT;
  checkFractions(fractions);
  const schema = options.schema ?? inferSchema(table, options);
  const at = { file: table.source, column: options.target };
  const target = schema.columns.find((c) => c.name === options.target);
  if (!target) {
    throw new DataError(
      at,
      `target column does not exist; columns are: ${schema.columns.map((c) => c.name).join(', ')}`,
    );
  }
  if (schema.target !== options.target || schema.task === null) {
    throw new DataError(
      at,
      `the schema was inferred for target ${JSON.stringify(schema.target)}; infer it with this target`,
    );
  }
  const features = schema.columns.filter((c) => c.role === 'feature');
  if (features.length === 0) {
    const why = schema.columns
      .map((c) => `"${c.name}" ${c.role === 'target' ? 'target' : c.kind}`)
      .join(', ');
    throw new DataError({ file: table.source }, `no usable feature column (${why})`);
  }
  const strategies = features.map((c) => strategyFor(table, c.name, c.kind, options));
  const missing = missingSet(schema.missingValues);
  const readers = features.map((c) => new CellReader(table.columns[c.index], missing));
  const targetSpec = targetSpecFor(schema, target.decimalComma);

  // y for every row first: rows whose target is missing or unreadable are dropped.
  const probe = new Preprocessor([], schema.missingValues, [], targetSpec).encode(
    tableWithOnly(table, target.index),
  );
  const yAll = probe.yData!;
  const kept: number[] = [];
  let missingTarget = 0;
  let missingValues = 0;
  let droppedClasses = 0;
  const dropKeys = new Set(schema.droppedClasses);
  const targetReader = new CellReader(table.columns[target.index], missing);
  for (let r = 0; r < table.rowCount; r++) {
    if (Number.isNaN(yAll[r])) {
      if (dropKeys.has(targetReader.key(r) ?? '')) droppedClasses++;
      else missingTarget++;
    } else if (strategies.some((s, j) => s === 'drop' && readers[j].isMissing(r))) missingValues++;
    else kept.push(r);
  }
  if (kept.length === 0) {
    throw new DataError(
      { file: table.source },
      `all ${table.rowCount} rows were dropped: ${missingTarget} for a missing target "${target.name}", ` +
        `${missingValues} for missing values in columns with strategy 'drop'` +
        (droppedClasses > 0 ? `, ${droppedClasses} in classes left out` : ''),
    );
  }
  const rows = Int32Array.from(kept);
  const stratify = options.stratify ?? schema.task === 'classification';
  const strata =
    stratify && schema.task === 'classification' ? Float64Array.from(rows, (r) => yAll[r]) : undefined;
  const split = splitRows(rows, fractions, options.seed ?? 0, strata);

  const specs = features.map((c, j): FeatureSpec => {
    const kind = c.kind as EncodedKind;
    const ctx = {
      reader: readers[j],
      rows: split.train,
      strategy: strategies[j],
      decimalComma: c.decimalComma,
      dateFormat: c.dateFormat,
      booleanTrue: c.booleanTrue,
    };
    return { kind, column: c.name, missing: strategies[j], params: encoders[kind].fit(ctx) } as FeatureSpec;
  });
  if (schema.task === 'regression' && options.standardizeTarget) {
    const ys = Array.from(split.train, (r) => yAll[r]);
    const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
    const std = Math.sqrt(ys.reduce((a, b) => a + (b - mean) ** 2, 0) / ys.length);
    targetSpec.mean = mean;
    targetSpec.std = std > 1e-12 ? std : 1;
  }
  const preprocessor = new Preprocessor(
    table.columns.map((c) => c.name),
    schema.missingValues,
    specs,
    targetSpec,
  );
  const encodeSplit = (indices: Int32Array): SplitArrays => {
    const t = preprocessor.encode(table, { rows: indices });
    return {
      rows: indices.length,
      rowIndices: indices,
      xData: t.xData,
      yData: t.yData!,
      report: t.report,
    };
  };
  const warnings = [...schema.warnings, ...emptySplitWarnings(split, fractions, schema.classNames, strata)];
  if (missingTarget > 0)
    warnings.push(`${missingTarget} rows dropped: the target "${target.name}" is missing`);
  if (missingValues > 0)
    warnings.push(`${missingValues} rows dropped: a missing value in a column with strategy 'drop'`);
  if (droppedClasses > 0) {
    const names = schema.droppedClasses.map((c) => `"${c}"`).join(', ');
    warnings.push(`${droppedClasses} rows dropped: their class (${names}) was left out`);
  }
  return {
    train: encodeSplit(split.train),
    validation: encodeSplit(split.validation),
    test: encodeSplit(split.test),
    preprocessor,
    schema,
    task: schema.task,
    classNames: schema.classNames,
    featureNames: preprocessor.featureNames,
    inputSize: preprocessor.width,
    dropped: { missingTarget, missingValues, droppedClasses },
    warnings,
  };
}

function strategyFor(table: CsvTable, name: string, kind: ColumnKind, o: PrepareOptions): MissingStrategy {
  const allowed = STRATEGIES[kind as EncodedKind];
  const chosen = o.missingByColumn?.[name] ?? o.missing?.[kind as EncodedKind] ?? allowed[0];
  if (!allowed.includes(chosen)) {
    throw new DataError(
      { file: table.source, column: name },
      `missing-value strategy '${chosen}' does not apply to a ${kind} column; use one of ${allowed.join(', ')}`,
    );
  }
  return chosen;
}

function targetSpecFor(schema: Schema, decimalComma: boolean): TargetSpec {
  return {
    column: schema.target!,
    task: schema.task!,
    classNames: schema.classNames,
    mean: 0,
    std: 1,
    decimalComma,
  };
}

/** A view of the table holding only one column (to read the target without the features). */
function tableWithOnly(table: CsvTable, index: number): CsvTable {
  return { ...table, columns: [table.columns[index]] };
}
