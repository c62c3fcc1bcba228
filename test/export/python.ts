/**
 * Python for the export tests: python3 with NumPy is required (tests skip with the reason logged
 * otherwise); the real torch and onnx packages are used where importable. Without torch,
 * numpy_torch/ stands in for it (see its README), so the generated file itself still runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));

function probeWith(python: string, code: string): string | null {
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8' });
  if (r.error) return `${python} is not available (${r.error.message})`;
  return r.status === 0 ? null : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`);
}

/**
 * The interpreter: the first on PATH, unless only the system one (Debian's, where .ci/run installs
 * python3-torch and python3-onnx) has torch. WGT_PYTHON overrides.
 */
const python =
  process.env.WGT_PYTHON ??
  ['python3', '/usr/bin/python3'].find((p) => probeWith(p, 'import torch') === null) ??
  ['python3', '/usr/bin/python3'].find((p) => probeWith(p, 'import numpy') === null) ??
  'python3';

const probe = (code: string) => probeWith(python, code);

/** The interpreter the tests run (for spawning it directly, e.g. torchrun as `-m torch.distributed.run`). */
export const pythonPath = python;

/** Why the NumPy-based checks cannot run, or null. */
export const numpyMissing = probe('import numpy');
/** Why the checks with the real PyTorch cannot run, or null. */
export const torchMissing = probe('import torch');
/** Why onnx.checker cannot run, or null. */
export const onnxMissing = probe('import onnx');

export { removeTempDirs, tempDir } from './temp-dirs';

export function writeFiles(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
}

/** Runs python3 with the real torch, or with numpy_torch first on the path when torch is missing. */
export function runPython(args: string[], cwd = here): { stdout: string; stderr: string } {
  const env = { ...process.env };
  if (torchMissing)
    env.PYTHONPATH = [join(here, 'numpy_torch'), here, env.PYTHONPATH].filter(Boolean).join(':');
  else env.PYTHONPATH = [here, env.PYTHONPATH].filter(Boolean).join(':');
  const r = spawnSync(python, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${python} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

export function pythonParses(path: string): void {
  execFileSync(python, ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])', path]);
}
