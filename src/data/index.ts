/** src/data: CSV in, tensors out. */

export { type ColumnBlock, findBlocks, type ImageShape } from './blocks';
export { COLUMN_KINDS, type ColumnKind, FEATURE_KINDS } from './classify';
export {
  DatasetBuilder,
  type DatasetChoices,
  type DatasetView,
  summarize,
  type TableSummary,
} from './dataset-builder';
export { DatasetSession, type ParseChoices } from './dataset-session';
export type { ColumnCounts, EncodedKind, EncoderParams, FeatureSpec, MissingStrategy } from './encoders';
export {
  COMMON_ENCODINGS,
  CsvError,
  CsvLocatedError,
  type CsvLocation,
  DataError,
  type ErrorHelp,
  type Remedy,
} from './errors';
export { decodeLabels, oneHotLabels } from './labels';
export { type CsvProgress, type ParseCsvOptions, parseCsv } from './parse';
export {
  type DatasetSplit,
  type PreparedArrays,
  type PreparedDataset,
  type PrepareOptions,
  prepareArrays,
  prepareDataset,
  type SplitArrays,
  withTensors,
} from './prepare';
export {
  Preprocessor,
  type PreprocessorJSON,
  type TargetSpec,
  type Transformed,
  type TransformOptions,
  type TransformReport,
} from './preprocessor';
export {
  type ColumnRole,
  type ColumnSchema,
  type InferSchemaOptions,
  inferSchema,
  rareClasses,
  type Schema,
  type Task,
} from './schema';
export { type RowSplit, type SplitFractions, splitRows } from './split';
export { type CsvTable, cellText, columnNames, type TableColumn, tableFromRows, tableRow } from './table';
export { suggestTarget, type TargetSuggestion } from './target';
export { type DateFormat, DEFAULT_MISSING_VALUES } from './values';
