/**
 * New rows in, the same rows out with the model's answers appended: the predicted class (or value)
 * and, for classification, one probability column per class. The page shows a page of it at a time
 * and offers all of it as a CSV (written with Papa Parse's unparse); both read one PredictionTable.
 */
import Papa from 'papaparse';
import { type CsvTable, tableRow } from '../../data/index';

export interface PredictionTable {
  /** The file's own columns. */
  inputFields: string[];
  /** The appended columns: `prediction`, then `probability <class>` per class (renamed if the file has them). */
  answerFields: string[];
  rowCount: number;
  /** Row r's cells as the file has them. */
  inputRow(r: number): (string | null)[];
  /** Row r's answers: the predicted class and its probabilities, or the predicted value. */
  answerRow(r: number): (string | number)[];
}

export function predictionTable(
  table: CsvTable,
  outputs: Float32Array,
  classNames: string[] | null,
): PredictionTable {
  const names = table.columns.map((c) => c.name);
  const free = (base: string) => {
    let name = base;
    for (let k = 2; names.includes(name); k++) name = `${base} (${k})`;
    return name;
  };
  const k = classNames?.length ?? 1;
  return {
    inputFields: names,
    answerFields: [
      free('prediction'),
      ...(classNames ? classNames.map((c) => free(`probability ${c}`)) : []),
    ],
    rowCount: table.rowCount,
    inputRow: (r) => tableRow(table, r),
    answerRow: (r) => {
      const out = outputs.subarray(r * k, (r + 1) * k);
      if (!classNames) return [Number(out[0].toPrecision(7))];
      let best = 0;
      for (let c = 1; c < k; c++) if (out[c] > out[best]) best = c;
      return [classNames[best], ...Array.from(out, (p) => Number(p.toPrecision(6)))];
    },
  };
}

/** The whole table as CSV: the file's columns, then the answers. */
export function predictionsCsv(t: PredictionTable): string {
  const data = Array.from({ length: t.rowCount }, (_, r) => [...t.inputRow(r), ...t.answerRow(r)]);
  return Papa.unparse({ fields: [...t.inputFields, ...t.answerFields], data });
}

export function withPredictions(table: CsvTable, outputs: Float32Array, classNames: string[] | null): string {
  return predictionsCsv(predictionTable(table, outputs, classNames));
}
