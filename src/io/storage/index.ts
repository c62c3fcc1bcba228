export { type Checkpoint, CheckpointStore } from './checkpoint-store';
export { DEFAULT_DATABASE } from './database';
export { StorageError } from './errors';
export { ModelStore, type SavedModel, type SavedModelInfo } from './model-store';
