// Types for report.mjs, which run.mjs (plain Node) and the Node bench (TypeScript, bundled) share.
export const TITLES: Record<'W1' | 'W2' | 'W3' | 'W4', (spec: object) => string>;
export function median(xs: readonly number[]): number;
export interface Summary {
  reps: number;
  ms: { median: number; min: number; max: number };
  metric: { name: string; median: number; min: number; max: number };
  warmupMs: number;
  samplesPerSec?: number;
  firstRepLoss?: number;
  lastLoss?: number;
  chanceLoss?: number;
}
export function summarise(spec: object, result: object): Summary;
export function markdown(out: object): string;
