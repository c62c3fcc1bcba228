import { readFileSync } from 'node:fs';
import { parseCsv } from '../../src/data/parse';
import type { CsvTable } from '../../src/data/table';

export const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;
export const SAMPLES = new URL('../../public/samples/', import.meta.url).pathname;

/** A fixture as a File (Node 20 has File), so the table is named after the file. */
export function fixtureFile(name: string): File {
  return new File([readFileSync(FIXTURES + name)], name);
}

export function parseFixture(name: string): Promise<CsvTable> {
  return parseCsv(fixtureFile(name));
}

export function parseSample(name: string): Promise<CsvTable> {
  return parseCsv(new File([readFileSync(SAMPLES + name)], name));
}

/** Column j of row-major [n, width] data. */
export function columnOf(data: Float32Array, width: number, j: number): number[] {
  const out: number[] = [];
  for (let i = j; i < data.length; i += width) out.push(data[i]);
  return out;
}

export function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { mean, std };
}
