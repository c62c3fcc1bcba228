/** The table `model.summaryTable()` returns (and `model.summary()` prints): one row per layer, parameter totals, and the text form. */
import { type Shape, sizeOf } from '../../graph/shape';
import type { Layer } from '../layers/layer';

export interface SummaryRow {
  name: string;
  /** The layer class (`Dense`). */
  type: string;
  /** Output shape with the batch axis as null, as Keras prints `(None, 10)`. */
  outputShape: (number | null)[];
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
}

export interface ModelSummary {
  name: string;
  rows: SummaryRow[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** The table as text, as `summary()` prints it. */
  text: string;
}

export function summarize(
  name: string,
  layers: readonly Layer[],
  outputShapes: readonly Shape[],
): ModelSummary {
  const rows = layers.map((layer, i): SummaryRow => {
    const trainable = layer.trainableWeights.reduce((n, v) => n + sizeOf(v.shape), 0);
    const nonTrainable = layer.countParams() - trainable;
    return {
      name: layer.name,
      type: layer.className,
      outputShape: [null, ...outputShapes[i]],
      params: trainable + nonTrainable,
      trainableParams: trainable,
      nonTrainableParams: nonTrainable,
    };
  });
  const trainableParams = rows.reduce((s, r) => s + r.trainableParams, 0);
  const nonTrainableParams = rows.reduce((s, r) => s + r.nonTrainableParams, 0);
  const totalParams = trainableParams + nonTrainableParams;
  return {
    name,
    rows,
    totalParams,
    trainableParams,
    nonTrainableParams,
    text: formatTable(name, rows, totalParams, trainableParams, nonTrainableParams),
  };
}

function formatTable(
  name: string,
  rows: SummaryRow[],
  total: number,
  trainable: number,
  frozen: number,
): string {
  const cells = [
    ['Layer (type)', 'Output shape', 'Params'],
    ...rows.map((r) => [
      `${r.name} (${r.type})`,
      `(${r.outputShape.map((d) => (d === null ? 'None' : String(d))).join(', ')})`,
      String(r.params),
    ]),
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...cells.map((row) => row[c].length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c === 2 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('   ');
  const rule = '-'.repeat(widths.reduce((a, b) => a + b, 0) + 6);
  return [
    `Model: "${name}"`,
    rule,
    line(cells[0]),
    rule.replaceAll('-', '='),
    ...cells.slice(1).map(line),
    rule,
    `Total params: ${total}`,
    `Trainable params: ${trainable}`,
    `Non-trainable params: ${frozen}`,
  ].join('\n');
}
