/**
 * Which tensors of a file go to which weights of a model: by name, with equal shapes. Everything
 * that does not pair up is listed with its reason, so a load can refuse (strict) or report it.
 */
import { fmtShape } from '../errors';
import { shapesEqual } from '../graph/shape';
import type { LayerVariable } from '../nn/layers/layer';
import { WeightsFileError } from './errors';
import { quoteText } from './json-limits';
import type { DecodedTensor } from './weights';

export type SkipReason = 'missing in file' | 'missing in model' | 'shape mismatch';

export interface SkippedWeight {
  name: string;
  reason: SkipReason;
  /** The tensor's shape in the file (absent when it is missing in the file). */
  fileShape?: number[];
  /** The weight's shape in the model (absent when it is missing in the model). */
  modelShape?: number[];
}

export interface WeightsMatch {
  matched: { variable: LayerVariable; file: DecodedTensor }[];
  /** Model weights first (in model order), then the file's extra tensors (in file order). */
  skipped: SkippedWeight[];
}

export function matchWeights(
  variables: readonly LayerVariable[],
  tensors: ReadonlyMap<string, DecodedTensor>,
): WeightsMatch {
  const matched: WeightsMatch['matched'] = [];
  const skipped: SkippedWeight[] = [];
  for (const variable of variables) {
    const t = tensors.get(variable.name);
    if (!t) skipped.push({ name: variable.name, reason: 'missing in file', modelShape: [...variable.shape] });
    else if (!shapesEqual(t.shape, variable.shape)) {
      skipped.push({
        name: variable.name,
        reason: 'shape mismatch',
        fileShape: [...t.shape],
        modelShape: [...variable.shape],
      });
    } else matched.push({ variable, file: t });
  }
  const names = new Set(variables.map((v) => v.name));
  for (const [name, t] of tensors) {
    if (!names.has(name)) skipped.push({ name, reason: 'missing in model', fileShape: [...t.shape] });
  }
  return { matched, skipped };
}

const MAX_LISTED = 12;

export function describeSkipped(s: SkippedWeight): string {
  const name = quoteText(s.name, 80);
  if (s.reason === 'shape mismatch') {
    return `${name}: shape mismatch (file ${quoteText(fmtShape(s.fileShape!), 80)}, model ${fmtShape(s.modelShape!)})`;
  }
  return `${name}: ${s.reason}`;
}

/** A file whose tensors do not fit the model; `problems` lists each one. Nothing was loaded. */
export class WeightsMismatchError extends WeightsFileError {
  readonly problems: readonly SkippedWeight[];

  constructor(file: string, model: string, problems: SkippedWeight[], strict: boolean) {
    const hint = strict
      ? 'pass { strict: false } to load the weights that match (and { skipMismatch: true } to skip shape mismatches)'
      : 'pass { skipMismatch: true } to skip weights whose shapes differ';
    // The message lists the first few; `problems` has them all (a hostile file may hold a million).
    const listed = problems.slice(0, MAX_LISTED).map(describeSkipped);
    if (problems.length > MAX_LISTED)
      listed.push(`and ${problems.length - MAX_LISTED} more (see error.problems)`);
    super(file, `does not match model '${model}', nothing was loaded: ${listed.join('; ')}; ${hint}`);
    this.problems = problems;
  }
}
