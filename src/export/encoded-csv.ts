/**
 * Encoded features as CSV: one column per model input, named as the preprocessing names them, and
 * the target as the model trains on it (a class index, or the standardised value), so the table
 * a model was trained on can leave the browser exactly (`python3 model.py train --data` reads it).
 * Each float32 prints as the shortest decimal that reads back to the same float32's double.
 */
import { ExportError } from './errors';

/** The column of table row indices (not a feature). */
export const ROW_COLUMN = '(row)';

const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function encodedCsv(
  featureNames: readonly string[],
  x: Float32Array,
  y: Float32Array | null,
  targetName = 'target',
  /** Each row's index in the source table, written as a first column `(row)` (model.py maps a bundle's split through it). */
  rowIds?: ArrayLike<number>,
): string {
  const width = featureNames.length;
  const rows = width === 0 ? 0 : x.length / width;
  if (!Number.isInteger(rows) || (y !== null && y.length !== rows) || (rowIds && rowIds.length !== rows)) {
    throw new ExportError(
      `encodedCsv: ${x.length} feature values do not make rows of ${width}${y ? ` matching ${y.length} targets` : ''}`,
    );
  }
  const lines = [
    [...(rowIds ? [ROW_COLUMN] : []), ...featureNames, ...(y ? [targetName] : [])].map(quote).join(','),
  ];
  for (let r = 0; r < rows; r++) {
    const cells = Array.from(x.subarray(r * width, (r + 1) * width), String);
    if (rowIds) cells.unshift(String(rowIds[r]));
    if (y) cells.push(String(y[r]));
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}
