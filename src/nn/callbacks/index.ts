export { Callback, CallbackList, type Logs, type TrainingParams } from './callback';
export { History } from './history';
export { ProgressLogger } from './progress-logger';
