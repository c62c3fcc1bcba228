export { Callback, CallbackList, type Logs, type TrainingParams } from './callback';
export { History, type HistoryJSON } from './history';
export { ProgressLogger } from './progress-logger';
