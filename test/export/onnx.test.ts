/**
 * ONNX export checked by a real runtime: onnxruntime-web (WebAssembly, in Node) runs the exported
 * bytes and must give predict's outputs on fresh random inputs, to 1e-5 relative (against
 * max(1, |ours|)) for every model, conv stacks included: ONNX Runtime sums the conv and matmul
 * products in its own order, but at these sizes the largest difference measured was 1.8e-7.
 */
import { describe, expect, it } from 'vitest';
import { exportOnnx } from '../../src/export/onnx';
import { decodeModel } from '../../src/export/onnx-proto';
import { Dense, Dropout, Layer, mul, Sequential, type Shape, type Tensor } from '../../src/index';
import { type HostBatch, layerCases, presetModel, randomBatch, trained } from './models';
import { runOnnx } from './ort';

async function expectRuntimeAgrees(model: Sequential, x: HostBatch, tolerance: number, opset?: number) {
  const bytes = await exportOnnx(model, opset === undefined ? {} : { opset });
  const onnx = await runOnnx(bytes, x);
  const ours = await (await model.predict(x)).data();
  expect(onnx.dims).toEqual([x.shape[0], ...model.outputShape]);
  expect(onnx.data.length).toBe(ours.length);
  let worst = 0;
  for (let i = 0; i < ours.length; i++) {
    worst = Math.max(worst, Math.abs(onnx.data[i] - ours[i]) / Math.max(1, Math.abs(ours[i])));
  }
  expect(worst, `largest relative difference ${worst}`).toBeLessThan(tolerance);
  return bytes;
}

describe('ONNX Runtime runs the exported model as predict does', () => {
  for (const c of layerCases) {
    it(c.name, async () => {
      const model = c.build();
      await trained(model, model.outputShape[model.outputShape.length - 1], 'regression');
      await expectRuntimeAgrees(model, randomBatch([5, ...model.inputShape!], 21), c.tolerance);
      // The batch dimension is symbolic: one sample runs through the same file.
      await expectRuntimeAgrees(model, randomBatch([1, ...model.inputShape!], 22), c.tolerance);
    });
  }

  const presets = [
    { id: 'linear', task: 'classification', outputs: 3, tolerance: 1e-5 },
    { id: 'linear', task: 'regression', outputs: 1, tolerance: 1e-5 },
    { id: 'mlp', task: 'classification', outputs: 4, tolerance: 1e-5 },
    { id: 'mlp-bn-dropout', task: 'classification', outputs: 3, tolerance: 1e-5 },
    { id: 'mlp-bn-dropout', task: 'regression', outputs: 1, tolerance: 1e-5 },
    { id: 'cnn', task: 'classification', outputs: 3, tolerance: 1e-5 },
  ] as const;
  for (const p of presets) {
    it(`preset ${p.id} (${p.task}, ${p.outputs} outputs)`, async () => {
      const model = await trained(
        presetModel(p.id, p.id === 'cnn' ? 16 : 6, p.task, p.outputs),
        p.outputs,
        p.task,
      );
      await expectRuntimeAgrees(model, randomBatch([7, ...model.inputShape!], 23), p.tolerance);
    });
  }

  it('opsets 13 and 21 run too, and the file states the one asked for', async () => {
    const model = await trained(presetModel('mlp-bn-dropout', 5, 'classification', 3), 3, 'classification');
    for (const opset of [13, 21]) {
      const bytes = await expectRuntimeAgrees(model, randomBatch([3, 5], 24), 1e-5, opset);
      const decoded = decodeModel(bytes);
      expect(decoded.opset_import).toEqual([{ domain: '', version: opset }]);
      expect(decoded.ir_version).toBe(opset === 13 ? 7 : 10);
      // Keras and ONNX both weigh the old moving statistic by momentum: written unchanged.
      const bn = decoded.graph.node.find((n) => n.op_type === 'BatchNormalization')!;
      const attr = (name: string) => bn.attribute.find((a) => a.name === name)!.f!;
      expect(attr('momentum')).toBeCloseTo(0.99, 6);
      expect(attr('epsilon')).toBeCloseTo(1e-3, 9);
    }
  });

  it('a model that is the identity at inference (Dropout alone) still has an output node', async () => {
    const model = new Sequential([new Dropout({ rate: 0.5, inputShape: [3] })]);
    model.compile({ loss: 'mse' });
    const x = randomBatch([2, 3], 25);
    const onnx = await runOnnx(await exportOnnx(model), x);
    expect([...onnx.data]).toEqual([...x.data]);
  });
});

describe('the ONNX file, decoded back with protobufjs and the schema', () => {
  it('declares opset 17, named inputs and outputs with a symbolic batch, and every weight', async () => {
    const model = await trained(presetModel('cnn', 16, 'classification', 3), 3, 'classification');
    const m = decodeModel(await exportOnnx(model));
    expect(m.ir_version).toBe(8);
    expect(m.opset_import).toEqual([{ domain: '', version: 17 }]);
    expect(m.producer_name).toBe('webgpu-trainer');
    const g = m.graph;
    const dims = (v: (typeof g.input)[number]) => v.type.tensor_type.shape.dim;
    expect(g.input.map((v) => v.name)).toEqual(['input']);
    expect(dims(g.input[0])).toEqual([{ dim_param: 'batch' }, { dim_value: 16 }]);
    expect(g.output.map((v) => v.name)).toEqual(['output']);
    expect(dims(g.output[0])).toEqual([{ dim_param: 'batch' }, { dim_value: 3 }]);
    expect(g.node.map((n) => n.op_type)).toEqual([
      'Reshape',
      'Transpose', // NHWC -> NCHW for Conv and MaxPool
      'Conv',
      'Relu',
      'MaxPool',
      'Transpose', // back to NHWC, so Flatten keeps our (h, w, c) feature order
      'Flatten',
      'MatMul',
      'Add',
      'Relu',
      'MatMul',
      'Add',
      'Softmax',
    ]);
    const conv = g.initializer.find((t) => t.name === 'conv2d_1.kernel')!;
    expect(conv.dims).toEqual([8, 1, 3, 3]);
    expect(g.initializer.find((t) => t.name === 'dense_1.kernel')!.dims).toEqual([32, 32]);
    expect(JSON.parse(m.metadata_props.find((p) => p.key === 'model_config')!.value)).toEqual(
      model.getConfig(),
    );
  });

  it('keeps the Conv2D kernel values, permuted HWIO -> OIHW', async () => {
    const model = await trained(presetModel('cnn', 16, 'classification', 2), 2, 'classification');
    const hwio = await model.getWeightsByName().get('conv2d_1.kernel')!.data();
    const t = decodeModel(await exportOnnx(model)).graph.initializer.find(
      (i) => i.name === 'conv2d_1.kernel',
    )!;
    const oihw = new Float32Array(new Uint8Array(t.raw_data).buffer);
    // OIHW [8, 1, 3, 3] element (o, 0, y, x) is HWIO [3, 3, 1, 8] element (y, x, 0, o).
    for (let o = 0; o < 8; o++)
      for (let y = 0; y < 3; y++)
        for (let x = 0; x < 3; x++) expect(oihw[o * 9 + y * 3 + x]).toBe(hwio[(y * 3 + x) * 8 + o]);
  });
});

describe('export refuses what it cannot write, naming it', () => {
  it('an unbuilt model, an uncompiled one, a bad opset, a layer class outside the registry', async () => {
    const unbuilt = new Sequential([new Dense({ units: 2 })]);
    unbuilt.compile({ loss: 'mse' });
    await expect(exportOnnx(unbuilt)).rejects.toThrow(/sequential\.exportOnnx: the model is not built/);
    const uncompiled = new Sequential([new Dense({ units: 2, inputShape: [3] })]);
    await expect(exportOnnx(uncompiled)).rejects.toThrow(/sequential\.exportOnnx: the model is not compiled/);
    uncompiled.compile({ loss: 'mse' });
    await expect(exportOnnx(uncompiled, { opset: 12 })).rejects.toThrow(/opset=12.*from 13 to 21/);

    class Scale extends Layer {
      static readonly className = 'Scale';
      computeOutputShape(shape: Shape): Shape {
        return shape;
      }
      protected call(x: Tensor): Tensor {
        return mul(x, 2);
      }
    }
    const custom = new Sequential([new Dense({ units: 2, inputShape: [3] }), new Scale({})]);
    custom.compile({ loss: 'mse' });
    await expect(exportOnnx(custom)).rejects.toThrow(/layer scale_1 \(Scale\) has no ONNX equivalent/);
  });
});
