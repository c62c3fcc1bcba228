/**
 * The standardisation a Preprocessor applies, as per-column vectors an exported model can fold in:
 * encoded column j is (raw_j - mean[j]) / std[j]. Numeric columns and date parts are standardised;
 * one-hot, boolean and missing-indicator columns pass through (mean 0, std 1), so a folded model
 * takes raw numbers and date parts where the encoded table had standardised ones, and the other
 * columns encoded as before. Imputation of missing cells is not folded: inputs must be present.
 */
import type { PreprocessorJSON } from '../data/preprocessor';
import { Preprocessor } from '../data/preprocessor';
import { ExportError } from './errors';

export interface Standardization {
  /** One name per encoded column, in the model's input order. */
  featureNames: string[];
  mean: Float32Array;
  std: Float32Array;
  /** Regression target standardised during training: output * std + mean gives its units. */
  target: { mean: number; std: number } | null;
}

export function standardizationOf(preprocessing: Preprocessor | PreprocessorJSON): Standardization {
  const p = preprocessing instanceof Preprocessor ? preprocessing : Preprocessor.fromJSON(preprocessing);
  const mean: number[] = [];
  const std: number[] = [];
  const passThrough = (n: number) => {
    for (let i = 0; i < n; i++) {
      mean.push(0);
      std.push(1);
    }
  };
  for (const f of p.features) {
    if (f.kind === 'numeric') {
      mean.push(f.params.mean);
      std.push(f.params.std);
    } else if (f.kind === 'datetime') {
      for (const part of f.params.parts) {
        mean.push(part.mean);
        std.push(part.std);
      }
    } else if (f.kind === 'boolean') passThrough(1);
    else passThrough(f.params.categories.length);
    if (f.missing === 'indicator') passThrough(1);
  }
  if (mean.length !== p.width) {
    throw new ExportError(
      `foldPreprocessing: the preprocessor describes ${mean.length} standardised columns but encodes ${p.width}`,
    );
  }
  const t = p.target;
  const target =
    t && t.task === 'regression' && (t.mean !== 0 || t.std !== 1) ? { mean: t.mean, std: t.std } : null;
  return {
    featureNames: [...p.featureNames],
    mean: Float32Array.from(mean),
    std: Float32Array.from(std),
    target,
  };
}
