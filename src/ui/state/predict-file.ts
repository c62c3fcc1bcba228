/**
 * Predictions on a CSV of new rows with the current model: parse, encode with the preprocessing
 * the model was trained with, run the model in the Worker, and keep the rows with their answers
 * (for the page's table and the download) in the run's results, labelled with the model. A model
 * that changes while this runs makes its answer stale: it is dropped rather than shown.
 */
import { Preprocessor, parseCsv, type Remedy } from '../../data/index';
import { formatCount } from './format';
import { predictionsCsv, predictionTable } from './predictions';
import type { ResultLabel } from './results';
import type { RunState } from './run-state';

function notesOf(report: ReturnType<Preprocessor['encode']>['report']): string[] {
  const unseen = Object.entries(report.columns)
    .filter(([, c]) => c.unseen > 0)
    .map(
      ([name, c]) =>
        `${name}: ${formatCount(c.unseen)} unseen categories (encoded as all zeros), e.g. ${c.unseenExamples.join(', ')}`,
    );
  return [
    ...(report.missingColumns.length
      ? [`Filled in with training values, as the file lacks them: ${report.missingColumns.join(', ')}`]
      : []),
    ...(report.extraColumns.length
      ? [`Ignored columns the model does not use: ${report.extraColumns.join(', ')}`]
      : []),
    ...unseen,
  ];
}

/**
 * `onMissingColumn: 'impute'` fills columns the file lacks with the training data's typical value
 * (the remedy a failed prediction offers); 'error' refuses such a file, naming the columns.
 */
export async function predictFile(
  run: RunState,
  file: File,
  onMissingColumn: 'error' | 'impute' = 'error',
): Promise<void> {
  const model = run.current;
  const context = model?.context;
  if (!model || !context) return;
  const label: ResultLabel = { model: model.architecture, trainedOn: context.source, data: file.name };
  try {
    const table = await parseCsv(file);
    const { xData, report } = Preprocessor.fromJSON(context.preprocessor).encode(table, { onMissingColumn });
    const outputs = await run.predict({ data: xData, shape: [report.rows, context.inputSize] });
    if (run.current !== model) return;
    const rows = predictionTable(table, outputs.data, context.classNames);
    run.results.setPredictions({
      fileName: `${file.name.replace(/\.[^.]*$/, '')}-predictions.csv`,
      url: URL.createObjectURL(new Blob([predictionsCsv(rows)], { type: 'text/csv' })),
      table: rows,
      notes: notesOf(report),
      label: { ...label, data: `${file.name} (${formatCount(rows.rowCount)} rows)` },
    });
  } catch (err) {
    // The error's plain words (no option names), and the way past it, when it has them.
    const e = err as Error & { plain?: string; remedy?: Remedy | null };
    if (run.current === model)
      run.results.setPredictError(e.plain ?? e.message, label, e.remedy ?? null, file);
  }
}
