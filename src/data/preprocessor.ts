/**
 * The fitted preprocessing: one encoder per feature column plus the target's encoding. Saved with
 * the model as plain JSON, so a new CSV with the same columns is encoded exactly as training was.
 * Columns are matched by name, not position.
 */
import { tensor } from '../graph/engine';
import type { Tensor } from '../graph/tensor';
import { CellReader } from './cells';
import { type ColumnCounts, type EncodedKind, encoders, type FeatureSpec } from './encoders';
import { DataError } from './errors';
import type { Task } from './schema';
import type { CsvTable } from './table';
import { missingSet } from './values';

export interface TargetSpec {
  column: string;
  task: Task;
  /** Classification: index i is classNames[i]. */
  classNames: string[] | null;
  /** Regression: y = (value - mean) / std (mean 0, std 1 unless `standardizeTarget` was set). */
  mean: number;
  std: number;
  decimalComma: boolean;
}

export interface PreprocessorJSON {
  format: 'webgpu-trainer/preprocessor';
  version: 1;
  columns: string[];
  missingValues: string[];
  features: FeatureSpec[];
  target: TargetSpec | null;
}

export interface TransformReport {
  rows: number;
  /** Feature columns the table lacks (filled with their imputation value when allowed). */
  missingColumns: string[];
  /** Columns the training table did not have; ignored. */
  extraColumns: string[];
  /** Per feature column: cells filled in, unreadable cells, unseen categories. */
  columns: Record<string, ColumnCounts>;
  /** Rows whose target is missing or an unknown class (y is NaN for them). */
  unusableTargets: number;
}

export interface TransformOptions {
  /** Only these row indices (default: every row). */
  rows?: ArrayLike<number>;
  /** A feature column absent from the table: 'error' (default) or 'impute' every cell of it. */
  onMissingColumn?: 'error' | 'impute';
}

export interface Transformed {
  x: Tensor;
  /** null when the table has no target column. */
  y: Tensor | null;
  xData: Float32Array;
  yData: Float32Array | null;
  report: TransformReport;
}

const KINDS: readonly EncodedKind[] = ['numeric', 'integer-category', 'categorical', 'boolean', 'datetime'];

export class Preprocessor {
  /** Names of the encoded columns in order, e.g. `Island=Biscoe`, `Year (year)`, `Sex (missing)`. */
  readonly featureNames: string[];

  constructor(
    readonly columns: readonly string[],
    readonly missingValues: readonly string[],
    readonly features: readonly FeatureSpec[],
    readonly target: TargetSpec | null,
  ) {
    this.featureNames = features.flatMap((f) => [
      ...(encoders[f.kind].names as (c: string, p: FeatureSpec['params']) => string[])(f.column, f.params),
      ...(f.missing === 'indicator' ? [`${f.column} (missing)`] : []),
    ]);
  }

  get width(): number {
    return this.featureNames.length;
  }

  /** Encodes the table's rows as x (and y when it has the target column) with the fitted transforms. */
  transform(table: CsvTable, options: TransformOptions = {}): Transformed {
    const { xData, yData, report } = this.encode(table, options);
    const n = report.rows;
    const y = yData && (this.target?.task === 'regression' ? tensor(yData, [n, 1]) : tensor(yData, [n]));
    return { x: tensor(xData, [n, this.width]), y, xData, yData, report };
  }

  /** transform without creating tensors (for Workers and tests). */
  encode(
    table: CsvTable,
    options: TransformOptions = {},
  ): { xData: Float32Array; yData: Float32Array | null; report: TransformReport } {
    const byName = new Map(table.columns.map((c) => [c.name, c]));
    const known = new Set(this.columns);
    const missingColumns = this.features.map((f) => f.column).filter((c) => !byName.has(c));
    if (missingColumns.length > 0 && (options.onMissingColumn ?? 'error') === 'error') {
      throw new DataError(
        { file: table.source, column: missingColumns[0] },
        `the model needs column${missingColumns.length > 1 ? 's' : ''} ${missingColumns.map((c) => `"${c}"`).join(', ')}, ` +
          'absent from this table',
        {
          advice: "pass onMissingColumn: 'impute' to fill them with their training values",
          remedy: { action: 'impute-missing-columns', columns: missingColumns },
        },
      );
    }
    const rows = options.rows ?? Int32Array.from({ length: table.rowCount }, (_, i) => i);
    const missing = missingSet(this.missingValues);
    const stride = this.width;
    const xData = new Float32Array(rows.length * stride);
    const report: TransformReport = {
      rows: rows.length,
      missingColumns,
      extraColumns: table.columns.map((c) => c.name).filter((c) => !known.has(c)),
      columns: {},
      unusableTargets: 0,
    };
    let offset = 0;
    for (const f of this.features) {
      const counts: ColumnCounts = { imputed: 0, invalid: 0, unseen: 0, unseenExamples: [] };
      report.columns[f.column] = counts;
      const column = byName.get(f.column) ?? emptyColumn(f.column, table.rowCount);
      const reader = new CellReader(column, missing);
      const enc = encoders[f.kind] as (typeof encoders)['numeric'];
      const width = enc.names(f.column, f.params as never).length;
      const miss = enc.encode(reader, f.params as never, rows, xData, stride, offset, counts);
      offset += width;
      if (f.missing === 'indicator') {
        for (let i = 0; i < rows.length; i++) xData[i * stride + offset] = miss[i];
        offset++;
      }
    }
    const targetColumn = this.target && byName.get(this.target.column);
    const yData = targetColumn
      ? this.encodeTarget(new CellReader(targetColumn, missing), rows, report)
      : null;
    return { xData, yData, report };
  }

  private encodeTarget(reader: CellReader, rows: ArrayLike<number>, report: TransformReport): Float32Array {
    const t = this.target!;
    const y = new Float32Array(rows.length);
    if (t.task === 'classification') {
      const index = new Map((t.classNames ?? []).map((c, i) => [c, i]));
      for (let i = 0; i < rows.length; i++) {
        const k = reader.key(rows[i]);
        y[i] = (k !== null ? index.get(k) : undefined) ?? Number.NaN;
      }
    } else {
      const { values } = reader.numbers(t.decimalComma);
      for (let i = 0; i < rows.length; i++) y[i] = (values[rows[i]] - t.mean) / t.std;
    }
    for (let i = 0; i < rows.length; i++) if (Number.isNaN(y[i])) report.unusableTargets++;
    return y;
  }

  /** Class name for a predicted index (classification). */
  className(index: number): string {
    const names = this.target?.classNames;
    if (!names || index < 0 || index >= names.length || !Number.isInteger(index)) {
      throw new DataError(
        { file: '<preprocessor>', column: this.target?.column },
        `class index ${index} is not one of 0..${(names?.length ?? 0) - 1}`,
      );
    }
    return names[index];
  }

  /** Regression: a model output back in the target's units. */
  targetValue(y: number): number {
    return this.target ? y * this.target.std + this.target.mean : y;
  }

  toJSON(): PreprocessorJSON {
    return {
      format: 'webgpu-trainer/preprocessor',
      version: 1,
      columns: [...this.columns],
      missingValues: [...this.missingValues],
      features: structuredClone(this.features) as FeatureSpec[],
      target: this.target && structuredClone(this.target),
    };
  }

  static fromJSON(json: unknown): Preprocessor {
    const bad = (why: string): never => {
      throw new DataError({ file: '<preprocessor JSON>' }, why);
    };
    const j = json as Partial<PreprocessorJSON> | null;
    if (!j || typeof j !== 'object' || j.format !== 'webgpu-trainer/preprocessor') {
      bad(`expected format "webgpu-trainer/preprocessor", received ${JSON.stringify(j?.format)}`);
    }
    if (j!.version !== 1) bad(`version ${JSON.stringify(j!.version)} is not supported (expected 1)`);
    if (!Array.isArray(j!.columns) || !Array.isArray(j!.features) || !Array.isArray(j!.missingValues)) {
      bad('columns, features and missingValues must be arrays');
    }
    for (const f of j!.features!) {
      if (!KINDS.includes(f?.kind) || typeof f.column !== 'string' || typeof f.params !== 'object') {
        bad(
          `feature ${JSON.stringify(f?.column)} has kind ${JSON.stringify(f?.kind)}, expected one of ${KINDS.join(', ')}`,
        );
      }
    }
    return new Preprocessor(j!.columns!, j!.missingValues!, structuredClone(j!.features!), j!.target ?? null);
  }
}

function emptyColumn(name: string, rows: number) {
  return { name, tags: new Uint8Array(rows), values: new Float64Array(rows), dict: [], dictCounts: [] };
}
