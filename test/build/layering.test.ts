// The layering check (.dependency-cruiser.cjs, run by `npm run lint:layers` and .ci/run) fires:
// the same config over test/fixtures/layering/src, whose deliberately bad imports break each rule
// once, reports exactly those, and the allowed imports beside them (nn -> graph, io -> nn,
// worker -> nn, the entries -> anything, a type-only import of the model class by a file it runs)
// pass.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const cli = resolve(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  from: string;
  to: string;
  rule: { name: string; severity: string };
}

/** The fixture cruised as `npm run lint:layers` cruises src/, in the given output type. */
const cruiseFixture = (outputType: 'json' | 'err') =>
  spawnSync(
    process.execPath,
    [cli, 'src', '--config', resolve(root, '.dependency-cruiser.cjs'), '--output-type', outputType],
    { cwd: resolve(root, 'test/fixtures/layering'), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );

test('every layering rule fires on its bad import, and only there', () => {
  const violations: Violation[] = JSON.parse(cruiseFixture('json').stdout).summary.violations;
  const found = violations.map((v) => `${v.rule.severity} ${v.rule.name}: ${v.from} -> ${v.to}`).sort();
  expect(found).toEqual([
    'error backend-imports-only-graph: src/backend/cpu/cpu-backend.ts -> src/nn/layer.ts',
    'error entries-not-imported: src/data/table.ts -> src/index.ts',
    'error graph-imports-only-graph: src/graph/engine.ts -> src/backend/cpu/cpu-backend.ts',
    'error middle-not-backend: src/io/weights.ts -> src/backend/cpu/cpu-backend.ts',
    'error middle-not-up: src/nn/layer.ts -> src/ui/panel.ts',
    'error nn-not-backend: src/nn/layer.ts -> src/backend/cpu/cpu-backend.ts',
    // graph/engine <-> backend/cpu-backend and backend <-> nn close cycles, between files and folders.
    'error no-file-cycles: src/backend/cpu/cpu-backend.ts -> src/graph/engine.ts',
    'error no-file-cycles: src/backend/cpu/cpu-backend.ts -> src/nn/layer.ts',
    // Two files of one folder importing each other at run time (graph/ops), and a cycle of type-only
    // imports that does not run through the model class (graph/shape <-> graph/tensor-type).
    'error no-file-cycles: src/graph/ops/binary.ts -> src/graph/ops/reduce.ts',
    'error no-file-cycles: src/graph/shape.ts -> src/graph/tensor-type.ts',
    'error no-folder-cycles: src/backend/cpu -> src/graph',
    'error no-folder-cycles: src/backend/cpu -> src/nn',
    'error no-folder-cycles: src/graph -> src/backend/cpu',
    'error no-folder-cycles: src/nn -> src/backend/cpu',
    'error no-folder-cycles: src/nn -> src/graph',
    // nn/callbacks imports the model's type and nn/model the callbacks: between folders type imports
    // count (between files this cycle runs through the model class with a type import: allowed).
    'error no-folder-cycles: src/nn/callbacks -> src/nn/model',
    'error no-folder-cycles: src/nn/model -> src/nn/callbacks',
    // The model class and a file it runs importing each other at run time (each cycle is reported once).
    'error no-runtime-cycles-through-model: src/nn/model/evaluation.ts -> src/nn/model/sequential.ts',
    'error not-to-unresolvable: src/export/onnx.ts -> ./missing-module',
    'error ui-only-from-app-entry: src/nn/layer.ts -> src/ui/panel.ts',
    'error ui-only-from-app-entry: src/worker/trainer.ts -> src/ui/panel.ts',
    'error worker-not-ui: src/worker/trainer.ts -> src/ui/panel.ts',
  ]);
});

test('the check exits non-zero on errors, which fails `npm run lint` and .ci/run', () => {
  const run = cruiseFixture('err');
  expect(run.stdout).toContain('22 errors, 0 warnings');
  expect(run.status).toBe(22);
});
