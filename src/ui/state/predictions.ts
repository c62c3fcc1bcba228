/**
 * New rows in, the same rows out with the model's answers appended: the predicted class (or value)
 * and, for classification, one probability column per class. Written with Papa Parse's unparse.
 */
import Papa from 'papaparse';
import { type CsvTable, tableRow } from '../../data/index';

export function withPredictions(table: CsvTable, outputs: Float32Array, classNames: string[] | null): string {
  const names = table.columns.map((c) => c.name);
  const free = (base: string) => {
    let name = base;
    for (let k = 2; names.includes(name); k++) name = `${base} (${k})`;
    return name;
  };
  const k = classNames?.length ?? 1;
  const fields = [
    ...names,
    free('prediction'),
    ...(classNames ? classNames.map((c) => free(`probability ${c}`)) : []),
  ];
  const data = Array.from({ length: table.rowCount }, (_, r) => {
    const row: (string | number | null)[] = tableRow(table, r);
    const out = outputs.subarray(r * k, (r + 1) * k);
    if (classNames) {
      let best = 0;
      for (let c = 1; c < k; c++) if (out[c] > out[best]) best = c;
      row.push(classNames[best], ...Array.from(out, (p) => Number(p.toPrecision(6))));
    } else {
      row.push(Number(out[0].toPrecision(7)));
    }
    return row;
  });
  return Papa.unparse({ fields, data });
}
