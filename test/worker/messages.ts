/** The Worker's messages as the page takes them: each 'progress' message opened into its items, in order. */
import type { FromWorker } from '../../src/worker/protocol';

export function flatten(message: FromWorker): FromWorker[] {
  return message.type === 'progress' ? [...message.messages] : [message];
}
