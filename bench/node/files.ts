// Result files are rewritten after every row, and a stage may be killed at its time limit at any
// moment (run.sh): each write goes to a temporary file renamed over the old one, so a file is
// always either the last complete version or the one before.

import { renameSync, writeFileSync } from 'node:fs';

export function writeResult(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
