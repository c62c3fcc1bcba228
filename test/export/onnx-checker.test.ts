/**
 * The ONNX reference checker (Python's onnx package, Debian's python3-onnx) accepts every
 * exported file with full_check (type and shape inference included). Skipped, with the reason
 * logged, where the package is not installed; onnxruntime-web's tests run regardless.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportOnnx } from '../../src/export/onnx';
import { layerCases, presetModel, trained } from './models';
import { onnxMissing, runPython, tempDir, writeFiles } from './python';

if (onnxMissing)
  console.warn(
    `test/export/onnx-checker.test.ts skipped: the onnx Python package is missing (${onnxMissing})`,
  );

const CHECK = [
  'import onnx, sys',
  'm = onnx.load(sys.argv[1])',
  'onnx.checker.check_model(m, full_check=True)',
  'print(m.opset_import[0].version, [d.dim_param for d in m.graph.input[0].type.tensor_type.shape.dim][0])',
].join('\n');

/**
 * The newest opset the installed checker knows (Debian 12's onnx 1.12 stops at 17): newer exports
 * carry an IR version it refuses outright, so they are checked only where the checker is new enough.
 */
const checkerOpset = onnxMissing
  ? 0
  : Number(runPython(['-c', 'import onnx.defs; print(onnx.defs.onnx_opset_version())']).stdout.trim());
const opsets = [13, 17, 21].filter((o) => o <= checkerOpset);
if (!onnxMissing && opsets.length < 3) {
  console.warn(
    `onnx.checker ${checkerOpset} checks opsets ${opsets.join(', ')}; opset 21 is checked by onnxruntime-web only`,
  );
}

describe.skipIf(onnxMissing !== null)('onnx.checker.check_model accepts the exported files', () => {
  it('every layer case and the presets, at opsets 13, 17 and 21 (as far as the checker knows them)', async () => {
    const models = [
      ...layerCases.map((c) => c.build()),
      presetModel('mlp-bn-dropout', 6, 'classification', 3),
      presetModel('cnn', 16, 'classification', 3),
    ];
    const dir = tempDir();
    for (const [i, model] of models.entries()) {
      await trained(model, model.outputShape[model.outputShape.length - 1], 'regression');
      for (const opset of opsets) {
        const path = join(dir, `m${i}-${opset}.onnx`);
        writeFiles(dir, { [`m${i}-${opset}.onnx`]: await exportOnnx(model, { opset }) });
        expect(runPython(['-c', CHECK, path]).stdout.trim()).toBe(`${opset} batch`);
      }
    }
  });
});
