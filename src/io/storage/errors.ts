import { WebGPUTrainerError } from '../../errors';

/** A saved model or checkpoint that is missing, clashes with another, or is damaged. */
export class StorageError extends WebGPUTrainerError {}
