import { WebGPUTrainerError } from '../../errors';

/**
 * A metric that cannot be computed from its inputs: empty input, labels out of range, scores that
 * are NaN, or a value that is undefined for the data (ROC AUC with one class present). Metrics
 * throw this rather than return NaN, so a bad number never reaches a chart unnoticed.
 */
export class MetricError extends WebGPUTrainerError {}
